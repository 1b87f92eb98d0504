"""Demo articles on energy and climate: grids, data centres, batteries, heat, capture."""

from __future__ import annotations

from techwatch.demo.articles_base import DemoArticle, article

ENERGY_ARTICLES: tuple[DemoArticle, ...] = (
    article(
        slug="data-centres-biggest-new-load",
        title="Data centres are now the biggest new load on Europe's grids",
        dek="Grid operators in Ireland, the Netherlands and Frankfurt are rationing connections.",
        author="Maren Holt",
        site="gridline",
        site_name="Gridline",
        published="2026-06-08",
        tags=("energy", "data centres", "grid"),
        body="""
When Europe's transmission operators published their ten-year network plan this spring, one
line stood out. For the first time, data centres account for the largest share of requested new
grid connections in the union, ahead of electrified industry and ahead of heat pumps. In the
Frankfurt region alone, operators are sitting on connection requests that add up to more than
4.5 gigawatts, roughly the peak demand of a mid-sized country.

The cause is not mysterious. Training and serving large AI models has turned the data centre
from a steady, predictable customer into a fast-growing one. A conventional cloud hall drew
perhaps 10 to 20 megawatts; the campuses now being planned for AI accelerators ask for 200 to
500 megawatts each, and they want it within three years, while a new high-voltage line takes
ten. Ireland, where data centres already consume more than a fifth of all electricity, has
effectively paused new connections around Dublin until 2028.

Operators are responding by changing the rules of the queue. Several are shifting from a
first-come, first-served model to one in which projects must show land, permits and financing
before they reserve capacity. The Netherlands now offers "non-firm" connections: a data centre
may connect sooner if it accepts being curtailed when the local grid is congested. Developers
are increasingly willing to take that deal, installing on-site batteries and gas engines to
ride through the curtailment hours.

That workaround raises concerns of its own. Gas engines on standby at dozens of campuses could
threaten local air-quality targets, and the batteries are sized for hours, not days. Consumer
groups warn that household bills could rise if the cost of reinforcing the grid for a handful
of very large customers is spread across everyone. Regulators in Germany have signalled that
large new loads may have to pay a bigger share of the reinforcement they trigger.

The EU will require data centres above 500 kilowatts to report their energy and water use to a
public database from next year, and the Commission is studying a rating scheme. Analysts expect
the next step to be location signals: cheaper connections where wind and solar are abundant,
such as the North Sea coast or the Nordic countries, and dearer ones in saturated metropolitan
hubs. If that happens, the geography of European computing could shift from the financial
capitals to the places where the power is.
""",
    ),
    article(
        slug="heat-pump-sales-rebound-installers",
        title="Heat pump sales rebound as subsidies shift to installers",
        dek="After two weak years, the market is growing again, but the bottleneck has moved.",
        author="Tomasz Wierzbicki",
        site="gridline",
        site_name="Gridline",
        published="2026-06-17",
        tags=("energy", "heat pumps", "buildings"),
        body="""
Heat pump sales in Europe grew by 18 percent in the first five months of the year, according to
figures compiled by the European Heat Pump Association, ending two years of decline that had
left manufacturers with full warehouses and installers without work. The recovery is uneven:
Poland and Italy are booming again, while Germany is still below its 2023 peak.

What changed is less the technology than the way governments pay for it. Several countries are
shifting from subsidies paid to the homeowner after the work, which left families waiting months
for their money, to grants paid directly to certified installers at the point of sale. The
homeowner sees a lower price on the quote, and the installer handles the paperwork. In France,
where the scheme was redesigned in January, applications doubled within a quarter.

The bottleneck has moved to skills. A heat pump retrofit in an older house is not a boiler swap:
radiators may need resizing, pipes need flushing, and the system has to be designed for the
coldest week of the year. Trade associations estimate that Europe needs another 200,000 trained
installers by 2030. Manufacturers are increasingly running their own training academies, and
some now sell heat pumps as a monthly subscription that includes maintenance, a model borrowed
from the car industry.

There are risks in the rush. Poorly sized systems run inefficiently and raise bills, which
could threaten public trust in the technology just as it recovers. Consumer associations have
documented cases of installers fitting units without checking insulation first. Refrigerants
are another issue: the EU's revised F-gas regulation will require new split units to use
natural refrigerants such as propane from 2027, and not every product line is ready.

For households, the signals are increasingly favourable. Electricity prices have eased relative
to gas in most markets, and new time-of-use tariffs let heat pumps pre-heat homes when power is
cheap. Utilities in the Nordics already aggregate thousands of heat pumps into a virtual power
plant that can shave the evening peak. If that model spreads, the heat pump could shift from a
simple appliance to a flexible asset that helps balance the grid.
""",
    ),
    article(
        slug="sodium-ion-enters-stationary-storage",
        title="Sodium-ion batteries enter stationary storage",
        dek="A chemistry without lithium, cobalt or nickel finds its first large market.",
        author="Ines Carvalho",
        site="gridline",
        site_name="Gridline",
        published="2026-07-02",
        tags=("energy", "batteries", "sodium-ion", "storage"),
        body="""
The first grid battery built entirely with sodium-ion cells was switched on last week near
Hubei, a 100-megawatt-hour installation that its operator says will run two cycles a day for
fifteen years. A few weeks earlier, a Swedish start-up delivered sodium-ion cabinets to a
telecom operator for backup power at mobile masts. Taken together, the two deals suggest that
sodium-ion is moving from the laboratory and the pilot line to commercial deployment.

The appeal is in the raw materials. Sodium is abundant and cheap, and the cathodes used by most
makers, Prussian white or layered oxides, need no cobalt and no nickel. The cells can use
aluminium rather than copper foil on both electrodes, which lowers cost again and allows them to
be stored and shipped at zero volts, a real safety advantage. They also keep most of their
capacity in the cold, which matters for masts in Scandinavia or Canada.

The drawback is energy density. Today's sodium-ion cells store about 160 watt-hours per
kilogram, comparable to the lithium iron phosphate cells of a decade ago and well below the
best lithium-ion. For a car that is a handicap; for a battery sitting in a container next to a
solar farm, weight hardly matters. That is why analysts expect stationary storage and small
vehicles to be the first markets, and why several lithium iron phosphate makers are adding
sodium lines to their existing factories.

Not everyone is convinced. Prices of lithium carbonate have fallen sharply since 2023, eroding
the cost advantage sodium was supposed to offer, and some Western start-ups could struggle to
reach scale before the price gap closes. Supply-chain experts also point out that the
hard-carbon anodes used in sodium cells are mostly produced in China, which raises concerns
that Europe would swap one dependency for another.

Still, policymakers are paying attention. The EU's battery regulation, which will require a
carbon-footprint declaration for industrial batteries, could favour sodium-ion chemistries that
avoid energy-intensive nickel refining. If the cells keep improving at the current pace, grid
operators may end up with a second, independent supply chain for storage, something that
looked improbable only three years ago.
""",
    ),
    article(
        slug="grid-batteries-from-arbitrage-to-grid-forming",
        title="Grid batteries shift from price arbitrage to grid-forming",
        dek="As coal and gas plants close, batteries are asked to hold the grid up, not just trade.",
        author="Maren Holt",
        site="gridline",
        site_name="Gridline",
        published="2026-08-04",
        tags=("energy", "grid", "storage"),
        body="""
For most of the past decade, large batteries earned their money in two ways: selling fast
frequency response to grid operators and buying cheap midday solar power to sell it again in the
evening. That business model is changing. In Australia and Great Britain, new tenders now
require batteries to be grid-forming, meaning their inverters create a stable voltage waveform
on their own instead of following the one set by spinning generators.

The reason is inertia. Coal, gas and nuclear plants have heavy turbines spinning in step with
the grid, and their momentum damps sudden disturbances. As those plants close, the system loses
that cushion, and operators have had to keep some fossil units online purely for stability.
Grid-forming inverters can emulate that behaviour in software. South Australia, which regularly
runs on more than 70 percent wind and solar, has relied on them since last year and reports
fewer curtailment orders as a result.

Installed capacity is growing fast. Battery storage connected to the grid worldwide roughly
doubled in each of the past three years, and developers say the pipeline in Europe is now larger
than that of new gas plants. Four-hour systems are becoming the norm, up from one hour in 2020,
and long-duration technologies such as iron-air and flow batteries are entering the first
commercial tenders in California and Germany.

The transition raises concerns among engineers. Grid-forming behaviour is defined differently
by each operator, and manufacturers warn that incompatible specifications could slow projects
and lock in proprietary control software. A large battery fire in Arizona this spring revived
questions about site safety and emergency response, and local residents are increasingly
organised against projects close to houses.

Regulation is catching up. Great Britain will require grid-forming capability for new battery
connections above 50 megawatts from 2027, and the European network code on requirements for
generators is being revised along similar lines. If batteries take over the stabilising role
that thermal plants played for a century, the last technical argument for keeping fossil units
on standby could disappear within a decade.
""",
    ),
    article(
        slug="data-centres-sign-nuclear-geothermal-deals",
        title="Data centres turn to nuclear and geothermal power purchase deals",
        dek="Hyperscalers want firm, carbon-free electricity around the clock, and are paying for it.",
        author="Ines Carvalho",
        site="gridline",
        site_name="Gridline",
        published="2026-08-26",
        tags=("energy", "data centres", "nuclear", "geothermal"),
        body="""
Three of the largest cloud providers announced long-term power contracts with nuclear and
geothermal projects this summer, adding to a string of deals that would have seemed unlikely
five years ago. One agreed to buy the output of a restarted reactor in the American Midwest for
twenty years; another signed for 300 megawatts from enhanced geothermal wells in Nevada; a third
took an option on the first small modular reactors planned in Ontario.

The logic is the shape of the demand. An AI training cluster runs flat out day and night, and
the companies have promised to match their consumption with carbon-free electricity every hour,
not just on an annual average. Wind and solar, even with batteries, struggle to cover every
hour of a windless winter week. Firm low-carbon sources are scarce and are therefore becoming
the most sought-after product on the power market.

Buyers are shifting from simple renewable certificates to contracts that finance new plants
directly. That matters for the developers of enhanced geothermal systems, which borrow drilling
techniques from the oil and gas industry, and for small modular reactor vendors, which have
struggled to find first customers willing to carry the risk of a new design. A signed contract
with a creditworthy tech company can unlock bank financing that public subsidies alone did not.

The deals also raise concerns. Restarting or reserving existing reactors for a single customer
could threaten supply for everyone else, and grid operators in Pennsylvania have asked
regulators to review arrangements where a data centre connects directly behind a power plant's
meter. Critics say that such co-location lets the data centre avoid paying for the transmission
network while still relying on it in emergencies.

None of the new reactors will produce power before 2030, and the geothermal wells are still to
be proven at scale. In the meantime, much of the additional demand is being met by gas. Even so,
the contracts signal a shift in who pays for first-of-a-kind energy technology: from
governments and utilities to a handful of technology companies with very deep pockets and a
pressing need for electricity.
""",
    ),
    article(
        slug="direct-air-capture-cost-reckoning",
        title="Direct air capture faces a cost reckoning",
        dek="Buyers of carbon removal are asking harder questions about price and permanence.",
        author="Oluwaseun Adeyemi",
        site="climatetech",
        site_name="ClimateTech Review",
        published="2026-08-30",
        tags=("climate", "carbon capture", "carbon removal"),
        body="""
The largest direct air capture plant in the world has been running for a year in Texas, and its
operator has published its first full figures. The plant removed about a third of the carbon
dioxide it was designed for, at a cost its critics put at more than 1,000 dollars a tonne.
Supporters reply that every first-of-a-kind plant underperforms, and that the learning curve of
solar panels also started steeply.

Direct air capture pulls carbon dioxide from ambient air with sorbents or solvents, then
releases it as a concentrated stream that is either stored underground or used in products.
Because the gas is so dilute in the atmosphere, about 420 parts per million, the process needs
large volumes of air and a lot of energy to regenerate the sorbent. Most plants depend on
low-carbon heat; without it, the net removal can shrink dramatically.

The market for removals is changing shape. Corporate buyers, led by a coalition of technology
companies, signed forward contracts worth several billion dollars in the past three years. They
are now increasingly demanding proof: independent monitoring of the storage wells, third-party
verification and contracts that pay only on delivery. Buyers are also shifting part of their
budgets from direct air capture to cheaper options such as enhanced rock weathering and biochar,
which carry more uncertainty about permanence but cost a fraction of the price.

Some observers warn that the debate could threaten the credibility of carbon removal as a
whole. If early plants miss their targets, investors may lose patience before costs fall.
Environmental groups raise concerns that oil companies, which operate several of the plants,
use captured carbon dioxide to extract more oil and present the result as climate action.

Regulation will decide much. The EU's certification framework for carbon removals will require
permanent storage for at least several centuries before a removal can earn the highest label,
and the United States is reviewing its tax credit for captured carbon. Over the next decade,
the question is less whether direct air capture works than whether it can become cheap enough
to matter at the scale of billions of tonnes.
""",
    ),
    article(
        slug="sodium-ion-reaches-two-wheelers",
        title="Sodium-ion reaches scooters and small city cars",
        dek="After stationary storage, the cheaper chemistry finds its way into vehicles.",
        author="Ines Carvalho",
        site="gridline",
        site_name="Gridline",
        published="2026-09-08",
        tags=("energy", "batteries", "sodium-ion", "mobility"),
        body="""
Two months after the first sodium-ion grid battery came online in China, the chemistry is
showing up in vehicles. A large Chinese two-wheeler maker says that a quarter of the electric
scooters it sold in August used sodium-ion packs, and a city car with a 250-kilometre range and
a sodium-ion battery went on sale in Shenzhen at a price below that of its petrol equivalent.

For small vehicles, the trade-offs of sodium-ion fit well. A scooter does not need a long range,
but it is often parked outdoors in the cold and charged in apartment corridors, where fire
safety matters. Sodium-ion cells lose little capacity at minus twenty degrees and are less prone
to thermal runaway than nickel-rich lithium cells. Fast charging is another strength: several
manufacturers quote a charge from 10 to 80 percent in under fifteen minutes.

Riders are increasingly choosing on price. In India and Southeast Asia, where electric
two-wheelers are now the fastest-growing segment of the vehicle market, a battery that costs a
fifth less can decide a sale. Battery-swapping networks, in which riders exchange an empty pack
for a full one at a kiosk, are testing sodium packs because they are cheaper to stock in large
numbers.

The chemistry still faces doubts. Energy density remains about a third lower than the best
lithium iron phosphate, and critics raise concerns that carmakers might market sodium cars with
optimistic range figures. Recycling is another open question: there is no established process
for recovering value from sodium-ion cells, because the materials inside are cheap, and that
could threaten the economics of collection.

European makers are watching closely. A French start-up plans a pilot line for sodium cells for
urban vans, and the EU's battery regulation will require a battery passport for every electric
vehicle battery from 2027, including its chemistry and carbon footprint. If the price gap holds,
analysts expect sodium-ion to take a double-digit share of the small-vehicle market before 2030,
shifting lithium toward the long-range segment where its density is indispensable.
""",
    ),
    article(
        slug="megawatt-charging-reliability",
        title="Megawatt charging for trucks arrives, and so does the reliability problem",
        dek="Faster plugs are useless if one charger in five is broken.",
        author="Lukas Brenner",
        site="mobilitytoday",
        site_name="Mobility Today",
        published="2026-09-12",
        tags=("mobility", "EV charging", "trucks"),
        body="""
The first public megawatt charging corridor for heavy trucks opened along the Rhine-Alpine route
this month, with stations every 100 kilometres between Rotterdam and Basel. Using the new
Megawatt Charging System standard, a 40-tonne electric truck can add 300 kilometres of range
during the driver's mandatory 45-minute break. For hauliers, that changes the calculation:
electric trucks are shifting from urban delivery rounds to long-distance freight.

Charging for cars has grown even faster. The number of public fast chargers in Europe doubled in
two years, and in Norway more than nine in ten new cars sold are electric. Yet drivers'
complaints have moved from the number of chargers to whether they work. Surveys by motoring
clubs found that between 10 and 20 percent of charging attempts at public stations fail at the
first try, because of payment errors, broken cables or software faults.

Reliability is becoming a regulatory issue. The EU's regulation on alternative fuels
infrastructure will require operators to offer ad hoc card payment at all new fast chargers,
and several countries now publish uptime figures by operator. In the United States, federal
funding is conditional on 97 percent uptime. Operators are increasingly investing in remote
diagnostics and on-site maintenance staff, and some publish live availability data through
open interfaces so that route planners can avoid broken stations.

Grid connections are the other constraint. A truck stop with ten megawatt chargers needs as
much power as a small town, and connection queues in Germany and the Netherlands stretch for
years. Operators are installing stationary batteries to buffer the load, and some truck depots
negotiate flexible connections that allow curtailment at peak times. Utilities raise concerns
that uncoordinated charging could threaten local distribution networks in the evening peak.

Behaviour is also changing. Fleet managers increasingly schedule charging by price, and
bidirectional charging, in which vehicles feed power back into buildings or the grid, has left
the pilot phase in France and the Netherlands. If the reliability problem is solved, charging
could become a background service, as unremarkable as filling a tank, within a few years.
""",
    ),
    article(
        slug="cement-carbon-capture-status-report",
        title="Carbon capture at cement plants: a status report",
        dek="A short report on the first full-scale capture units in the cement industry.",
        author="Oluwaseun Adeyemi",
        site="climatetech",
        site_name="ClimateTech Review",
        published="2026-09-28",
        kind="pdf",
        tags=("climate", "carbon capture", "cement", "industry"),
        body="""
Cement production emits about seven percent of global carbon dioxide, and more than half of it
comes from the chemistry of making clinker, not from burning fuel. Switching to renewable
electricity cannot remove those process emissions. That is why carbon capture, which the
cement industry long treated as a distant option, is moving from feasibility studies to
construction at a growing number of plants.

The first full-scale unit began operating this year at a cement works in southern Norway. It
uses an amine solvent to capture about 400,000 tonnes of carbon dioxide a year, roughly half of
the plant's emissions, and ships it by boat to a storage site beneath the North Sea. Waste heat
from the kiln supplies part of the energy needed to regenerate the solvent. Similar projects
are under construction in Germany, Belgium and the United Kingdom, some using oxyfuel
combustion, which produces a purer stream of carbon dioxide.

Costs remain high. Operators estimate between 80 and 150 euros per tonne captured, transported
and stored, compared with a carbon price in the EU emissions trading system of around 70 euros.
The gap is being closed by public grants and by carbon contracts for difference. Customers are
increasingly willing to pay a premium for low-carbon cement for public buildings, and several
governments will require low-carbon materials in public procurement from 2028.

The approach raises concerns. Critics warn that capture could lock in high clinker production
when alternative binders and better design could cut cement use. Transport and storage networks
are another bottleneck: without shared pipelines and port terminals, inland plants cannot reach
offshore storage. Communities near planned pipelines have raised questions about safety.

Over the next ten years, the industry expects dozens of capture units in Europe. Whether that
happens will depend on the free allocation of emission allowances ending as scheduled, on the
carbon border adjustment mechanism protecting producers from imports, and on storage capacity
being available when the plants are ready.
""",
    ),
    article(
        slug="data-centre-heat-district-networks",
        title="Data-centre heat is finding its way into district heating networks",
        dek="Waste heat from servers, boosted by large heat pumps, now warms homes in several cities.",
        author="Tomasz Wierzbicki",
        site="gridline",
        site_name="Gridline",
        published="2026-10-02",
        tags=("energy", "data centres", "heat pumps", "district heating"),
        body="""
A data centre on the edge of Espoo in Finland now supplies heat for about 40,000 homes, making
it one of the largest sources of recovered heat in any European district network. The servers'
cooling water leaves the building at around 30 degrees; a bank of industrial heat pumps raises
it to 85 degrees before it enters the city's pipes. The operator sells the heat, the utility
burns less biomass, and the data centre's energy efficiency figures improve.

The idea is not new, but it is shifting from one-off pilots to a planning requirement. Germany's
energy efficiency law will require new data centres above one megawatt to reuse a rising share
of their waste heat, starting at ten percent in 2026 and reaching twenty percent in 2028.
Denmark and the Netherlands have introduced similar conditions for planning permission. The
recurring debate about data centres' electricity use has made the heat a political bargaining
chip: cities increasingly ask what a campus gives back.

The engineering is harder than it looks. Air-cooled servers produce low-grade heat that needs a
lot of heat pump work to become useful. Liquid cooling, which is spreading quickly because AI
accelerators run too hot for air, delivers water at 45 to 60 degrees and makes recovery much
cheaper. That is why operators of AI clusters are the most enthusiastic about heat reuse, even
though their loads can vary sharply.

There are concerns. District networks need heat most in winter, while data centres produce it
all year, so summer surpluses must be dumped or stored. Heat contracts run for decades, while a
data centre may be refitted or closed within ten years, which could threaten the security of
supply if a city relies on a single campus. Some operators worry that heat obligations will push
new projects to countries that do not impose them.

Large heat pumps are the quiet winners. Orders for industrial units above ten megawatts have
roughly doubled in two years, and manufacturers report long waiting lists. If heat reuse becomes
standard, the data centre could change from a pure consumer of the grid to part of the urban
energy system, selling heat in winter and flexibility all year round.
""",
    ),
)
