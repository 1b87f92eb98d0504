"""Demo articles on the digital world: security, quantum, space, open source, elections."""

from __future__ import annotations

from techwatch.demo.articles_base import DemoArticle, article

DIGITAL_ARTICLES: tuple[DemoArticle, ...] = (
    article(
        slug="open-source-licences-under-strain",
        title="Open-source licences under strain as AI companies train on code",
        dek="Maintainers are rewriting licences, and the definition of open source is contested.",
        author="Hannah Lindqvist",
        site="openledger",
        site_name="Open Ledger",
        published="2026-06-28",
        tags=("open source", "licensing", "AI"),
        body="""
A popular JavaScript framework changed its licence last month, adding a clause that forbids the
use of its code to train commercial AI models without permission. Within days, two forks
appeared under the old permissive licence, and the project's issue tracker filled with arguments
about whether the new terms could still be called open source. The episode is one of many: a
survey of maintainers found that one in six had considered changing their licence because of AI.

The tension has a simple root. Permissive licences such as MIT and Apache were written to let
anyone reuse code, and they ask little in return beyond attribution. Code assistants trained on
public repositories reproduce snippets without that attribution, and the companies that build
them earn money while maintainers remain unpaid volunteers. Some maintainers are shifting from
permissive licences to source-available terms that restrict commercial use, a move already made
by several database and infrastructure companies for different reasons.

The Open Source Initiative maintains that restrictions on fields of use are incompatible with
open source, and it has published its own definition of open-source AI, which requires that
enough information about training data be released to reproduce a model. Many models marketed
as open publish only their weights, and critics call that open-washing. Developers are
increasingly checking licences of models as carefully as those of libraries, because terms vary
from fully permissive to banning use by large competitors.

The fragmentation raises concerns. Companies that depend on thousands of dependencies could face
legal uncertainty if licences multiply, and license-compliance tools are struggling to classify
the new terms. Forks split communities and could threaten the sustainability of projects that
already depend on a handful of people. Security researchers worry that abandoned projects become
easy targets for supply-chain attacks.

Regulation is adding pressure. The EU's Cyber Resilience Act will require manufacturers to
handle vulnerabilities in the open-source components they ship, while exempting non-commercial
projects, and the AI Act offers lighter obligations to open-source models. Over the next decade,
the meaning of open may shift from a licence on a repository to a bundle of commitments about
data, weights, funding and maintenance.
""",
    ),
    article(
        slug="ransomware-reaches-small-water-utilities",
        title="Ransomware reaches the water tower",
        dek="Small water utilities, with little IT staff and old control systems, are the new target.",
        author="Rafael Mendes",
        site="securewire",
        site_name="SecureWire",
        published="2026-07-07",
        tags=("cybersecurity", "water", "critical infrastructure"),
        body="""
In May, a water utility serving 30,000 people in the American Midwest switched its treatment
plant to manual operation for eleven days after ransomware encrypted the computers that
supervise pumps and chemical dosing. Staff drove between sites to read gauges. A month later, a
municipal utility in northern Italy reported a similar attack. No contamination occurred in
either case, but the incidents confirmed what security agencies have warned for years: attackers
are shifting from hospitals and city halls to water systems.

The sector is unusually exposed. There are tens of thousands of small water utilities in Europe
and North America, many with a single IT person or none. Their supervisory control and data
acquisition systems, known as SCADA, were often installed decades ago and connected to the
internet later for remote monitoring. Researchers scanning the internet regularly find
programmable logic controllers at water plants reachable with default passwords.

State actors are a second threat. Authorities in several countries have attributed intrusions
at water utilities to groups linked to foreign governments, which appear to be mapping systems
rather than disrupting them. That raises concerns that access could be used during a
geopolitical crisis. A successful attack on chemical dosing could threaten public health, and
even a precautionary boil-water notice can disrupt a city for days.

Utilities are increasingly adopting basic measures: separating control networks from office
networks, removing internet-exposed devices, using multi-factor authentication for remote
access, and keeping offline backups of configurations. Some regions are pooling resources in
shared security operations centres, because no small utility can afford one alone. Insurers are
starting to require these measures before they renew cyber policies.

Regulation is tightening. The EU's NIS2 directive covers drinking water and wastewater operators
above a certain size and will require them to report significant incidents within 24 hours.
Smaller utilities below the threshold remain outside, which critics call a dangerous gap. Over
the next decade, the sector may have to consolidate or share infrastructure simply to afford the
security that a connected plant now needs.
""",
    ),
    article(
        slug="satellite-internet-direct-to-phone",
        title="Satellite internet goes direct to the phone",
        dek="Ordinary smartphones can now text, and soon call, via low-orbit satellites.",
        author="Chloé Martin",
        site="orbitnotes",
        site_name="Orbit Notes",
        published="2026-07-11",
        tags=("space", "satellite internet", "telecoms"),
        body="""
Hikers in the Rockies and fishermen off Norway have discovered a new reassurance this summer:
their ordinary phones show a signal where there is no mast. Direct-to-cell services, in which
low-orbit satellites act as mobile base stations, have moved from emergency messaging to a
commercial text service in four countries. For the first time, a standard smartphone without a
special antenna can send messages from almost anywhere on Earth.

The technology relies on very large antennas in orbit and on mobile operators lending part of
their licensed spectrum. Data rates are still low, a few megabits per second shared across a
large area, enough for messages and maps but not for video. Operators plan voice calls by next
year. Several satellite constellations now compete: one with thousands of satellites already in
orbit, and others backed by mobile operators and by the EU's own secure connectivity programme.

The business model is shifting from selling dishes to households to partnering with mobile
networks, which bill customers for a roaming-like add-on. Rural users are increasingly relying
on satellites as their only connection, and emergency services see a tool for disasters that
knock out terrestrial networks, as happened after floods in central Europe last autumn.

The growth raises concerns. Astronomers report that the bright, low satellites streak images
and interfere with radio telescopes. The number of objects in low orbit could threaten the
long-term safety of space operations if collisions create debris. Regulators in several
countries worry about one private company controlling a large share of connectivity in crises,
and military use of the same networks blurs the line between civilian and defence
infrastructure.

Spectrum rules are being rewritten. The International Telecommunication Union will discuss
allocations for satellite-to-phone services at its next world conference, and the EU will
require its own constellation to offer secure government services from 2030. In ten years,
coverage gaps may simply disappear from maps, but the question of who controls the sky's
networks will be more political than technical.
""",
    ),
    article(
        slug="logical-qubits-below-threshold",
        title="Quantum error correction crosses a threshold",
        dek="Adding more physical qubits now makes logical qubits better, not worse.",
        author="Felix Andersen",
        site="quantumdesk",
        site_name="Quantum Desk",
        published="2026-07-23",
        tags=("quantum computing", "error correction"),
        body="""
Two research groups reported this month that their logical qubits became more reliable as they
grew, the defining test of quantum error correction. One team, using superconducting qubits,
encoded a logical qubit in a surface code of distance nine and measured an error rate per cycle
less than half that of the distance-seven version. The other, using neutral atoms held by
lasers, ran a small algorithm on 48 logical qubits with error rates below those of its physical
qubits.

Error correction is the central problem of quantum computing. Physical qubits are fragile: heat,
stray fields and imperfect control corrupt them within microseconds. Error-correcting codes
spread one logical qubit across many physical ones and detect errors without measuring the
information directly. The catch is that the physical qubits must be good enough, below a
threshold, or adding more only adds more errors. Being below threshold means scaling now helps.

The field is shifting from counting physical qubits to counting logical ones and their error
rates. Companies have published roadmaps targeting a hundred logical qubits by the end of the
decade, the scale at which some chemistry simulations could outperform classical computers.
Decoding, the classical computation that interprets error syndromes in real time, has become a
bottleneck, and specialised decoding chips are a new niche for hardware start-ups.

Caution is warranted. The overhead remains huge: a useful logical qubit may need a thousand
physical qubits, and the largest machines have only a few thousand. Some experts raise concerns
that investor expectations could outpace what the hardware can deliver, threatening a funding
winter. Cryptographers, for their part, note that progress strengthens the case for migrating to
post-quantum encryption now, since encrypted data harvested today could be decrypted later.

Governments are responding. The United States will require federal agencies to inventory their
cryptographic systems and plan migration to post-quantum algorithms, and the EU has published a
coordinated roadmap with a 2030 target for critical infrastructure. For foresight, the signal is
that quantum computing is moving from physics experiments toward engineering problems.
""",
    ),
    article(
        slug="deepfakes-elections-labelled-ads",
        title="The first election campaign with labelled synthetic ads",
        dek="New transparency rules meet a flood of AI-generated political content.",
        author="Sofia Petrakis",
        site="democracylab",
        site_name="Democracy Lab",
        published="2026-08-13",
        tags=("democracy", "deepfakes", "elections", "AI"),
        body="""
The regional election campaigns under way in three European countries are the first held under
the EU's rules on political advertising, which require any paid political ad that uses
synthetic images, video or audio to say so. In the first month, the public ad repositories
listed more than 2,000 labelled ads. Campaign staff say generative tools have become routine for
producing posters, translations and short videos in several languages at almost no cost.

Labelled content is the easy part. Researchers monitoring social networks found dozens of
unlabelled deepfakes circulating outside paid advertising: fake audio of a candidate insulting
voters, a video of a minister announcing a tax that does not exist, and crude images meant to be
recognised as satire but shared as real. Most reach small audiences, but a few were viewed
millions of times before platforms removed them.

Voters are adapting in unexpected ways. Surveys show that people increasingly doubt authentic
recordings, dismissing inconvenient evidence as possibly fake, a phenomenon scholars call the
liar's dividend. Fact-checkers report that requests to verify genuine videos now outnumber
requests about fakes. That erosion of trust could threaten the role of shared evidence in public
debate more than any single fake.

Technical defences are maturing slowly. Camera makers and news agencies are adopting the C2PA
content credentials standard, which attaches signed provenance data to images. Detection models
catch many fakes in the lab but fail on compressed clips shared through messaging apps. Watermarks
added by generation tools can be removed, and open models do not add them at all. Platforms are
shifting from removing content toward labelling it and reducing its reach.

The EU's AI Act will require providers of generative systems to mark their output in a
machine-readable way from next year, and electoral authorities are setting up rapid response
units for the final days of campaigns. Over the next decade, the challenge may shift from
detecting fakes to proving authenticity: a world where unsigned media is treated as unverified
by default.
""",
    ),
    article(
        slug="ai-assisted-attacks-water-control-systems",
        title="AI-assisted attacks put water control systems back in the spotlight",
        dek="Three months after a wave of ransomware, agencies warn of more capable attackers.",
        author="Rafael Mendes",
        site="securewire",
        site_name="SecureWire",
        published="2026-10-06",
        tags=("cybersecurity", "water", "critical infrastructure", "AI"),
        body="""
A joint advisory from cybersecurity agencies in five countries warned this week that attackers
are using AI tools to find and exploit weaknesses in industrial control systems, naming water
and wastewater utilities as a priority concern. The agencies describe intrusions in which
language models were used to write convincing phishing emails to plant operators and to generate
scripts that interact with programmable logic controllers from several vendors.

The advisory follows the summer's wave of ransomware against small water utilities. Since then,
incident reports to national agencies from the water sector have doubled compared with last
year, partly because of more attacks and partly because new reporting rules took effect.
Investigators say attackers are shifting from opportunistic encryption of office computers to
deliberate reconnaissance of operational networks, mapping how pumps, valves and dosing systems
are controlled.

AI lowers the skill needed for such work. Industrial protocols used to be an obscure specialty;
now an attacker can ask a model to explain a controller manual or adapt a public exploit. The
same tools help defenders: several utilities are piloting anomaly detection that learns the
normal rhythm of a plant and flags unusual commands. Operators increasingly rely on managed
security services shared among municipalities.

The threat raises concerns for public health and for trust. A manipulated chemical dosing system
could threaten drinking water safety before anyone notices, although most plants have
independent safety interlocks and manual sampling. Experts also worry about a lack of qualified
staff: utilities struggle to hire engineers who understand both water treatment and security.

Regulators are moving. Under NIS2, member states are now auditing essential water operators, and
the EU's Cyber Resilience Act will require manufacturers of connected controllers to fix known
vulnerabilities for the product's lifetime. The United States is considering mandatory
cybersecurity standards for water systems after voluntary guidance failed. Over ten years, the
water sector may need to treat cybersecurity as part of water quality, with the same inspections
and the same budgets.
""",
    ),
    article(
        slug="voice-clones-final-week-campaigns",
        title="Voice clones dominate the final week of campaigns",
        dek="Audio deepfakes are cheaper, harder to detect and spread through private messages.",
        author="Sofia Petrakis",
        site="democracylab",
        site_name="Democracy Lab",
        published="2026-10-10",
        tags=("democracy", "deepfakes", "elections", "AI"),
        body="""
In the last week before the regional elections, the most damaging fakes were not videos but
voice recordings. Monitoring groups counted more than forty cloned-voice clips of candidates
shared on messaging apps in the final seven days, compared with a handful of fake videos. In one
case, a clip of a mayor apparently telling supporters not to bother voting because the result
was decided circulated in neighbourhood groups on the morning of the vote.

Audio has several advantages for a disinformation campaign. Cloning a voice now needs only a few
seconds of sample recording, which every politician provides in abundance. Audio carries fewer
visual clues that betray a fake, and it spreads well in encrypted group chats, where platforms
cannot see or label content. Detection tools performed poorly on compressed voice notes, with
error rates that fact-checkers consider too high to rely on publicly.

The pattern confirms a shift first noticed in the summer campaign: from public, paid content,
which is now labelled under EU rules, to private channels that escape them. Users are
increasingly sharing screenshots and voice notes rather than links, which makes tracing the
origin of a fake almost impossible. Local news outlets, which might once have verified such
claims quickly, have shrunk in many of the regions affected.

The developments raise concerns about the integrity of close elections. Election observers
noted that a fake appearing hours before polls open could threaten the result before any
correction reaches voters. Telecom operators and messaging services have been asked to share
data about mass forwarding, which raises privacy questions. Some parties now publish their
candidates' official statements with signed content credentials so that journalists can check
authenticity.

Authorities are considering new measures. Electoral commissions in two countries will require
political parties to register the voice and image models they use, and the EU is discussing a
code of practice for messaging platforms. Over the coming decade, democracies may need new
norms: a pre-election quiet period for synthetic media, or public registries of authentic
statements.
""",
    ),
    article(
        slug="first-logical-qubit-cloud-service",
        title="The first cloud service built on logical qubits opens to researchers",
        dek="Error-corrected quantum computing leaves the laboratory, in a small way.",
        author="Felix Andersen",
        site="quantumdesk",
        site_name="Quantum Desk",
        published="2026-10-30",
        tags=("quantum computing", "error correction", "cloud"),
        body="""
A quantum computing company opened a cloud service this week that gives researchers access to 24
error-corrected logical qubits, the first time logical rather than physical qubits have been
offered commercially. The service runs on a neutral-atom machine and allows circuits of a few
hundred logical operations before errors accumulate. Prices are high and capacity is limited,
but the move marks the transition announced by the threshold results of the summer.

Until now, cloud users programmed noisy physical qubits and relied on statistical tricks to
reduce errors afterwards. Logical qubits shift the burden to the machine, which detects and
corrects errors during the computation. For users, the difference is that a longer circuit no
longer means a worse answer, at least up to a limit. Chemistry and materials groups are
increasingly designing experiments for this regime, for example simulating catalysts for
fertiliser production or battery materials.

The software stack is changing too. Compilers must now target logical gates and account for the
cost of operations that error-correcting codes make expensive, such as the so-called magic state
preparation. Start-ups that build decoders and control electronics report growing orders, and
several national labs have begun buying time to train staff before larger machines arrive.

Sceptics raise concerns about hype. Twenty-four logical qubits are far too few for any task that
classical computers cannot do, and benchmarks chosen by vendors could threaten the credibility
of the field if they exaggerate progress. Security agencies repeat that the risk to current
encryption remains years away, but that migration to post-quantum cryptography should not wait.

The EU will require its quantum flagship projects to publish independent benchmark results, and
standards bodies are drafting common metrics for logical error rates. Over the next decade,
analysts expect the number of logical qubits to grow steadily, with the first useful chemistry
simulations possible at around a hundred. The signal to watch is no longer the qubit count but
the logical error rate.
""",
    ),
)
