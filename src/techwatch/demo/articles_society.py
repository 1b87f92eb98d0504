"""Demo articles on society: biotech, food, cities, mobility, repair, logistics."""

from __future__ import annotations

from techwatch.demo.articles_base import DemoArticle, article

SOCIETY_ARTICLES: tuple[DemoArticle, ...] = (
    article(
        slug="first-crispr-therapy-reimbursed-europe",
        title="The first CRISPR therapy reimbursed in Europe: what it means",
        dek="A one-time cure for sickle cell disease tests how health systems pay for gene editing.",
        author="Amara Nwosu",
        site="biofrontier",
        site_name="BioFrontier",
        published="2026-06-21",
        tags=("biotech", "CRISPR", "health"),
        body="""
France and Germany have agreed to reimburse a CRISPR-based therapy for sickle cell disease and
beta thalassaemia, making it the first gene-editing treatment paid for by public health systems
in Europe. The therapy edits a patient's own blood stem cells outside the body so that they
produce foetal haemoglobin, which compensates for the faulty adult form. In clinical trials,
most patients were free of painful crises for more than a year after a single treatment.

The price is the obstacle. The list price is close to two million euros per patient, and the
procedure requires chemotherapy to clear the bone marrow before the edited cells are returned,
followed by weeks in hospital. Only a handful of specialised centres can perform it. Health
insurers have therefore shifted from paying per dose to outcome-based agreements: part of the
price is refunded if the patient relapses within a set number of years.

For patients, the change is significant. Sickle cell disease affects mostly people of African,
Middle Eastern and South Asian descent, and has long been neglected by research. Patient groups
report that families are increasingly asking about gene therapy, though many will hesitate
because of the harsh conditioning treatment and the risk of infertility. Doctors stress that
bone-marrow transplants from matched donors remain an option for some.

The decision raises concerns about access. In Africa, where most people with sickle cell disease
live, a two-million-euro therapy is out of reach, and the infrastructure needed for stem-cell
processing barely exists. Ethicists warn that outcome-based contracts could threaten the budgets
of smaller health systems if several expensive gene therapies arrive at once. Long-term safety
data are still limited, and off-target edits remain a theoretical risk.

Researchers see the next step in in vivo editing, in which the editing tools are delivered
directly into the body, avoiding chemotherapy and cell processing. The European Medicines Agency
will require fifteen years of follow-up for patients treated with gene-editing products. If
costs fall, the shift from chronic treatment to one-time cures could reshape how health systems
budget for rare diseases.
""",
    ),
    article(
        slug="remote-work-redraws-mid-sized-cities",
        title="Remote work is quietly redrawing the map of mid-sized cities",
        dek="Four years after the pandemic, hybrid work has settled, and so have its winners.",
        author="Jonas Weber",
        site="civicfutures",
        site_name="Civic Futures",
        published="2026-06-25",
        tags=("cities", "remote work", "housing"),
        body="""
The pandemic's exodus from big cities was exaggerated, but hybrid work has left a lasting mark.
New census data from several European countries show that mid-sized cities within two hours by
train of a capital grew faster than the capitals themselves over the past four years. Places
such as Le Mans, Leipzig and Tampere have gained young professionals who work in the capital two
days a week and live where housing is cheaper the rest of the time.

Employers have largely settled on a hybrid norm. Surveys suggest that full-time office presence
is now the exception in knowledge work, and that the most common arrangement is two or three
office days a week. Attempts by some large companies to impose five days have met resistance and
staff departures. Workers are increasingly choosing employers on flexibility, and some accept
lower salaries for it.

The effects on cities are shifting from anecdote to data. City-centre office vacancy in several
capitals has risen above fifteen percent, and owners are converting older buildings into
housing, though the conversions are expensive and slow. Lunchtime trade in business districts
has fallen on Mondays and Fridays. Meanwhile, rail operators report that season tickets have
given way to flexible fares, and long-distance commuting two days a week is increasingly common.

The change raises concerns. Rents in the destination cities have risen sharply, which could
threaten affordability for local residents on local salaries. Some towns report tensions between
newcomers and established residents over housing and services. Transport planners worry that
hybrid commuters rely on cars for the last leg of the journey, and that occasional long commutes
add emissions that the statistics for working from home do not capture.

Governments are reacting. France will require large employers to negotiate remote-work
agreements with unions, and several regions offer grants for coworking spaces in small towns.
Over the next decade, the geography of work may shift from a single commuting basin around each
capital to networks of mid-sized cities linked by fast trains, a pattern that planners call the
polycentric metropolis.
""",
    ),
    article(
        slug="fifteen-minute-city-five-years-on",
        title="The 15-minute city, five years on",
        dek="Paris and Milan show what proximity planning achieves, and whom it upsets.",
        author="Jonas Weber",
        site="civicfutures",
        site_name="Civic Futures",
        published="2026-07-15",
        tags=("cities", "15-minute city", "urban planning"),
        body="""
Five years after Paris made the 15-minute city the centrepiece of its urban policy, the idea
has travelled far, from Milan and Barcelona to Melbourne and Bogotá. The principle is simple:
residents should reach most daily needs, such as shops, schools, parks, doctors and work, within
a quarter of an hour on foot or by bike. What that means in practice varies, and so does the
evidence of its effects.

In Paris, car traffic in the centre has fallen by more than a third since 2019, while cycling
has roughly doubled. School streets, closed to cars at the start and end of the day, now number
over two hundred. Milan has turned dozens of intersections into small squares with benches and
trees, using paint and planters before permanent works. Residents are increasingly using local
services: neighbourhood health centres report more walk-in visits, and weekday markets have
returned in several districts.

Critics point to who benefits. Proximity is easiest to provide in dense, central districts that
were already well served. Suburbs built around motorways and shopping centres would need far
more investment, and their residents often depend on cars for work. Studies in Paris suggest
that property prices rise near new green spaces, which raises concerns about green
gentrification, where improvements push out the people they were meant to help.

The concept also became the target of conspiracy theories that claimed it would confine people
to their neighbourhoods, and protests in British towns showed how quickly planning language can
be misread. Planners now emphasise choice rather than restriction, and involve residents earlier.
Experts warn that polarisation could threaten otherwise popular measures if they are presented
as a grand plan instead of practical improvements.

Policy is consolidating. The EU's urban mobility framework will require large cities to publish
sustainable urban mobility plans with indicators on access to services, and several national
governments fund neighbourhood health centres. Over the next decade, the 15-minute city may shift
from a slogan to a set of measurable standards for access, applied to suburbs as well as
centres.
""",
    ),
    article(
        slug="cultivated-meat-regulation-diverges",
        title="Cultivated meat: regulators diverge as the first products reach menus",
        dek="Singapore and the US allow it, Italy bans it, and the EU reviews its first application.",
        author="Lea Dubois",
        site="foodtechreview",
        site_name="FoodTech Review",
        published="2026-07-19",
        tags=("food", "cultivated meat", "regulation"),
        body="""
The European Food Safety Authority has begun reviewing the first application to sell cultivated
meat in the EU, a chicken product grown from animal cells in bioreactors. The review is expected
to take at least eighteen months. Meanwhile, cultivated chicken is served in a handful of
restaurants in Singapore and the United States, and Australia approved cultivated quail earlier
this year. Italy and two American states, on the other hand, have banned its sale outright.

The divergence reflects more than safety questions. Producers argue that meat grown from cells
could cut land use and emissions and end the slaughter of animals. Farmers' organisations see a
threat to livestock farming and rural economies, and some politicians frame the bans as a
defence of culinary tradition. The debate is shifting from whether the product is safe to whether
it should exist at all, a question regulators are not designed to answer.

The industry itself has cooled. Investment in cultivated meat start-ups fell by more than
two-thirds from its 2021 peak, and several firms have closed or merged. Scaling up remains
hard: cells grow slowly, growth media are expensive, and the largest bioreactors are a fraction
of the size needed for commodity meat. Companies are increasingly developing hybrid products that
mix a small share of cultivated cells with plant proteins, which are cheaper and easier to
approve.

Consumers are curious but cautious. Surveys in Germany and the Netherlands find that about half
of respondents would try cultivated meat, but far fewer would eat it regularly. Labelling is
contested: farm groups want to ban terms such as "meat" or "sausage" for products not from
slaughtered animals, which raises concerns among producers that such rules could threaten
market access before any product is approved.

The EU will require any approved product to carry clear labelling of its origin, and the
Netherlands has allowed tastings under controlled conditions. Over the next decade, cultivated
meat may remain a niche premium product or become an ingredient in processed foods, depending on
costs and on whether the regulatory split between countries hardens into trade disputes.
""",
    ),
    article(
        slug="right-to-repair-smartphones-eu",
        title="Right to repair comes to smartphones",
        dek="New EU rules on spare parts and batteries change how phones are designed.",
        author="Marco Bellini",
        site="repairmatters",
        site_name="Repair Matters",
        published="2026-07-29",
        tags=("right to repair", "smartphones", "circular economy"),
        body="""
Since June, every new smartphone sold in the EU must meet ecodesign rules that would have been
unthinkable a few years ago. Manufacturers must supply spare parts for seven years after a model
leaves the market, deliver them within ten working days, and publish repair information for
independent workshops. Batteries must survive 800 charge cycles with at least 80 percent of
their capacity, and replacing them must be possible with commonly available tools.

The design consequences are visible. Several new models use screws and pull tabs instead of
glue to hold the battery, and back covers can be removed without heat guns. Repairability scores,
printed on packaging like energy labels, are shifting how phones are marketed: two brands now
advertise their repair score in television campaigns. Repair shops report that customers are
increasingly asking for repairs rather than replacements, especially for screens and batteries.

Not all obstacles are gone. Parts pairing, in which a phone's software recognises components by
serial number and refuses or limits third-party parts, remains a contested practice. The new
rules forbid software that prevents repair, but manufacturers argue that pairing protects
security, for example for fingerprint sensors. Repair advocates raise concerns that loopholes
could threaten the rules' effect if pairing is allowed for the most commonly replaced parts.

The economics are changing slowly. Spare parts are still expensive, and a screen replacement on
a premium phone can cost a third of the device's price. Refurbished phones, by contrast, are a
fast-growing market, with sales up by a quarter in two years. Consumers in Germany and France
can claim repair bonuses from public funds, which has doubled repair numbers in some cities.

The EU's broader right-to-repair directive will require manufacturers to repair products after
the legal guarantee for a reasonable price, and similar rules are spreading to laptops and
tablets. Over the next decade, the smartphone may shift from a sealed product replaced every two
or three years to a device maintained for five to seven, with consequences for manufacturers'
revenue models and for electronic waste.
""",
    ),
    article(
        slug="drones-logistics-beyond-visual-line-of-sight",
        title="Delivery drones get permission to fly beyond sight",
        dek="New rules for beyond-visual-line-of-sight flights open routine drone logistics.",
        author="Noah Fischer",
        site="logisticsnow",
        site_name="Logistics Now",
        published="2026-08-18",
        tags=("logistics", "drones", "regulation"),
        body="""
For years, delivery drones were held back less by technology than by a rule: a pilot had to keep
the aircraft in sight. This summer, aviation authorities in Europe and the United States began
granting routine permissions for beyond-visual-line-of-sight flights along approved corridors,
provided the drones carry detect-and-avoid systems and report their position to a digital
traffic management service. Operators are shifting from demonstration flights to daily
operations.

The first beneficiaries are hospitals and islands. In Scotland, drones now carry blood samples
and medicines between clinics and a central laboratory, cutting delivery times from hours to
minutes. In Norway and Greece, they serve islands whose ferries run infrequently. Retail delivery
is growing more slowly: in a few American suburbs, customers order light items through an app
and receive them in their garden, and delivery volumes there doubled in a year.

The infrastructure is called U-space in Europe. It is a set of digital services that register
flights, give clearance and share positions between drones, helicopters and light aircraft.
The EU will require drones operating in U-space airspace to use network remote identification,
a kind of electronic number plate. Logistics companies are increasingly building drone hubs on
the roofs of warehouses and hospitals, and some operators use a single remote pilot to monitor
up to twenty aircraft at once.

The growth raises concerns. Residents under delivery routes complain about noise, and privacy
advocates worry about cameras on low-flying aircraft. Safety experts warn that a collision with a
light aircraft or a failure over a crowd could threaten public acceptance of the whole sector.
Insurers are still working out how to price the risk, and rules on liability differ between
countries.

The economics remain uncertain. A drone carries a few kilograms over short distances, and
weather grounds it regularly. Analysts nevertheless expect medical logistics, spare parts for
industry and rural deliveries to become viable within five years. Over a decade, the sky above
cities could become structured airspace, with corridors, traffic controllers and a new kind of
infrastructure that cities must plan for.
""",
    ),
    article(
        slug="micromobility-consolidates",
        title="Micromobility consolidates after the shake-out",
        dek="Fewer operators, stricter permits and a turn toward shared e-bikes.",
        author="Jonas Weber",
        site="civicfutures",
        site_name="Civic Futures",
        published="2026-08-22",
        tags=("cities", "micromobility", "e-scooters", "mobility"),
        body="""
The chaotic years of shared e-scooters, when a dozen operators flooded city pavements with
vehicles, are over. After a wave of bankruptcies and mergers, three large operators now account
for most of the European market, and most cities license only two or three providers through
tenders. Paris banned shared scooters in 2023, but cities such as Warsaw, Lisbon and Stockholm
have kept them under stricter rules, and usage there is rising again.

The fleets are changing. Operators are shifting from scooters to shared e-bikes, which cities
prefer because they are perceived as safer and attract older riders. New scooters have larger
wheels, turn signals and sensors that detect riding on pavements. Parking is increasingly
restricted to marked bays, enforced by apps that refuse to end a ride elsewhere. Several cities
now require operators to share trip data, which planners use to design cycle lanes.

Users are adapting. Commuters increasingly combine a shared bike with the train, and monthly
passes have replaced pay-per-minute pricing for many regular riders. Private ownership is also
growing: sales of electric cargo bikes to families have risen steadily, and some employers offer
bike leasing as a benefit, a scheme that has spread quickly in Germany and Belgium.

Safety remains the central concern. Hospitals in several cities report injuries among scooter
riders, particularly young men riding at night, and pedestrians' groups say that cluttered
pavements threaten people with disabilities. Battery fires in apartments, mostly from privately
owned scooters charged with cheap chargers, have prompted fire services to issue warnings.
Insurers raise concerns about liability when riders injure pedestrians.

Regulation is becoming more uniform. The EU is preparing type-approval rules for light electric
vehicles, and several countries will require helmets or insurance for scooter riders. Over the
next decade, micromobility may settle into a role as a regular part of public transport, paid
for with the same ticket, rather than the venture-funded experiment it began as.
""",
    ),
    article(
        slug="in-vivo-base-editing-cholesterol",
        title="In vivo base editing lowers cholesterol with a single infusion",
        dek="A gene-editing treatment delivered into the liver points toward common diseases.",
        author="Amara Nwosu",
        site="biofrontier",
        site_name="BioFrontier",
        published="2026-09-16",
        tags=("biotech", "CRISPR", "base editing", "health"),
        body="""
Results from a mid-stage trial published this week show that a single infusion of a base-editing
treatment lowered LDL cholesterol by about 55 percent in patients with an inherited form of high
cholesterol, with the effect lasting at least two years so far. The treatment switches off a
gene in the liver that regulates cholesterol levels. Unlike the first approved CRISPR therapy,
it is delivered directly into the body in lipid nanoparticles, the same vehicle used by mRNA
vaccines.

Base editing is a refinement of CRISPR. Instead of cutting both strands of DNA, which can cause
unintended rearrangements, it changes a single letter of the genetic code. That precision makes
it attractive for treating common conditions, where the tolerance for side effects is much lower
than for severe rare diseases. The shift from rare to common diseases is the real news: millions
of people take daily statins, and a one-time treatment could change their care.

Doctors are cautious. Two patients in an earlier trial had liver enzyme elevations, and one
serious heart event is still being investigated, although investigators consider it unrelated.
Permanent changes to the genome cannot be undone, which raises concerns about treating people
who could manage with pills. Regulators will require years of monitoring before approval for a
large population.

The economics are unusual. A therapy for a common disease cannot cost two million euros, and
the company has hinted at a price closer to that of several years of existing injectable drugs.
Health insurers are increasingly interested in one-time treatments if they prevent heart attacks,
but worry that large upfront payments could threaten annual budgets. Investors, meanwhile, have
returned to gene-editing companies after a difficult period.

Delivery is the frontier. Lipid nanoparticles reach the liver easily, but other organs are
harder. Research groups are developing particles that target the lungs, muscles or bone marrow.
Over the next decade, gene editing could move from a last-resort treatment for rare disorders to
a preventive option for common conditions, a shift with profound ethical and economic
consequences.
""",
    ),
    article(
        slug="ville-du-quart-d-heure-teletravail",
        title="La ville du quart d’heure à l’épreuve du télétravail",
        dek="Dans les villes moyennes, le télétravail change la vie des quartiers.",
        author="Élodie Mercier",
        site="villesdemain",
        site_name="Villes de demain",
        published="2026-10-18",
        lang="fr",
        charset="windows-1252",
        tags=("villes", "télétravail", "urbanisme"),
        body="""
À Rennes, à Angers ou à Besançon, les élus parlent désormais de « ville du quart d’heure » à
propos de quartiers qui n’avaient rien de parisien. Le télétravail, installé durablement deux ou
trois jours par semaine, a changé la géographie du quotidien : les habitants passent davantage de
temps près de chez eux, et les commerces de proximité en profitent. Pour la première fois depuis
vingt ans, plusieurs centres-bourgs voient rouvrir des boulangeries et des cafés.

Le changement se mesure. Selon une étude d’une agence d’urbanisme, la fréquentation des
commerces de quartier a progressé de 12 % les jours de télétravail, tandis que celle des zones
commerciales périphériques a reculé. Les espaces de travail partagés se multiplient dans les
anciennes agences bancaires et les gares rénovées. Les salariés sont de plus en plus nombreux à
choisir leur logement en fonction d’une pièce de travail plutôt que de la proximité du bureau.

Les municipalités adaptent leurs projets. Plusieurs villes élargissent les trottoirs, créent des
rues scolaires et installent des pistes cyclables entre les quartiers et les gares. La mutation
va d’un urbanisme pensé pour la voiture et les navettes quotidiennes vers un urbanisme de la
proximité. Les maires y voient un moyen de revitaliser des centres fragilisés par la concurrence
des hypermarchés.

Ce mouvement soulève des inquiétudes. L’arrivée de cadres venus des métropoles fait monter les
loyers, ce qui pourrait menacer l’accès au logement des ménages modestes. Les commerçants
craignent que la tendance s’inverse si les employeurs imposent un retour au bureau. Les
associations d’usagers rappellent que les personnes âgées et les habitants des zones
périurbaines restent dépendants de la voiture, faute de transports publics.

L’État accompagne la tendance. La loi obligera les grandes entreprises à négocier un accord sur
le télétravail, et un programme national finance les tiers-lieux dans les petites villes. D’ici
dix ans, la ville moyenne pourrait devenir un modèle d’équilibre entre emploi à distance, vie de
quartier et accès rapide aux grandes métropoles par le train. Reste à éviter que la proximité
devienne un privilège réservé à ceux qui peuvent travailler chez eux.
""",
    ),
    article(
        slug="drone-delivery-noise-complaints",
        title="Drone delivery grows, and so do the noise complaints",
        dek="Two months into routine operations, residents under the flight paths push back.",
        author="Noah Fischer",
        site="logisticsnow",
        site_name="Logistics Now",
        published="2026-10-27",
        tags=("logistics", "drones", "cities"),
        body="""
Two months after aviation authorities authorised routine beyond-visual-line-of-sight flights,
drone delivery volumes have grown faster than operators expected. One operator says it now flies
more than 5,000 deliveries a week across its European sites, and a large retailer has added
drone delivery as an option at checkout in three suburban areas. Medical deliveries between
hospitals have become routine in Scotland and Denmark.

The success brings friction. Residents living under the most used corridors report drones
passing overhead dozens of times a day. The high-pitched whine of small propellers is more
irritating than its modest volume suggests, according to acoustic researchers, because it stands
out against background traffic noise. A petition in a suburb of Dublin gathered several thousand
signatures asking for flight limits on weekends.

Operators are responding. Some are shifting routes to follow roads and railway lines, where
existing noise masks the drones, and varying corridors so that no street bears all the traffic.
New propeller designs promise to cut perceived noise by half. Companies increasingly publish
flight maps and hold public meetings before opening a new hub, a practice borrowed from wind farm
developers.

The controversy raises concerns for the industry. If local opposition grows, municipalities
could demand powers over airspace that national aviation authorities currently hold alone, and
a patchwork of local restrictions could threaten the economics of drone networks that depend on
scale. Privacy complaints about cameras have been fewer than expected, but they remain a
recurring theme in public consultations.

Regulators are studying the issue. The European Union Aviation Safety Agency will require noise
certification for delivery drones above a certain mass from 2028, and several cities want a
say in how U-space corridors are drawn. Over the next decade, drone delivery may become as
ordinary as delivery vans, but the experience of the summer suggests that the limit will be
social acceptance rather than technology.
""",
    ),
)
