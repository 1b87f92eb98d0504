"""Demo articles on AI hardware and models: accelerators, export controls, on-device models."""

from __future__ import annotations

from techwatch.demo.articles_base import DemoArticle, article

AI_ARTICLES: tuple[DemoArticle, ...] = (
    article(
        slug="export-controls-push-chiplets",
        title="Export controls push AI accelerator makers toward chiplets and domestic fabs",
        dek="Restrictions on advanced chips are reshaping how accelerators are designed and where.",
        author="Daniel Okafor",
        site="siliconledger",
        site_name="Silicon Ledger",
        published="2026-06-03",
        tags=("AI", "semiconductors", "export controls"),
        body="""
Three years after the first sweeping restrictions on exports of advanced AI chips to China,
their effect on the industry is becoming clearer, and it is not the one their authors intended
alone. Rather than simply slowing Chinese AI research, the rules have accelerated two shifts:
from monolithic chips to chiplets assembled in advanced packages, and from a global supply chain
to regional ones built with heavy public subsidies.

Chinese accelerator designers, cut off from the most advanced foundry processes, are stitching
together several smaller dies made on older nodes, linked by high-bandwidth interconnects and
stacked memory. The result is larger and less efficient per watt than the leading American
parts, but good enough to train competitive models when deployed in large numbers. Domestic
cloud providers report that they are increasingly mixing imported and local accelerators in the
same clusters, using software layers that hide the differences from developers.

Western firms are adapting too. Accelerator makers have released reduced versions of their
products that stay under the performance thresholds in the rules, and then seen those versions
banned in later revisions. Investors raise concerns that the cycle of redesign and prohibition
could threaten the revenue that funds research. At the same time, governments in the United
States, Japan, South Korea and the EU are spending tens of billions on domestic fabs and
advanced packaging plants, hoping to reduce their own dependence on a single island.

High-bandwidth memory has become the new choke point. Only three companies make it at scale,
and all of them are now covered by export rules. Analysts expect memory, rather than logic, to
decide how much computing power each bloc can deploy over the next five years. Smuggling is a
persistent problem: customs authorities in Singapore and Malaysia have opened cases involving
servers re-exported through shell companies.

The EU will require member states to screen outbound investments in advanced semiconductors
from next year, a first for European trade policy. For foresight watchers, the signal is that
compute is being treated as a strategic resource, like oil in the twentieth century, with
alliances, embargoes and stockpiles. Whether that fragments AI research into separate technical
ecosystems is the question of the decade.
""",
    ),
    article(
        slug="small-language-models-move-onto-phones",
        title="Small language models move onto phones",
        dek="Three-billion-parameter models now run locally, and the cloud is no longer the default.",
        author="Priya Raman",
        site="devicefront",
        site_name="Device Front",
        published="2026-06-12",
        tags=("AI", "small language models", "smartphones", "privacy"),
        body="""
The flagship phones launched this spring share a feature that would have sounded implausible two
years ago: each runs a language model of around three billion parameters entirely on the
device. The models summarise notifications, draft replies, translate conversations and search
personal photos without sending anything to a server. For the first time, a mainstream
assistant answers most everyday requests offline.

Several techniques made this possible. Distillation lets a large model teach a small one;
quantisation shrinks weights to four bits or fewer with little loss in quality; and the neural
processing units in recent phone chips deliver dozens of trillions of operations per second
within a power budget of a few watts. Open-weight small models from several labs now score on
reasoning benchmarks where the largest cloud models stood in 2023.

The shift is driven as much by economics as by privacy. Serving every request from a data centre
costs the phone makers money on each query, and their cloud bills grew quickly as usage rose.
Running the model locally moves that cost onto the user's battery. Developers are increasingly
designing hybrid apps, in which a small local model handles routine requests and escalates hard
ones to the cloud, sometimes after asking the user's permission.

The move raises concerns. Local models can still be wrong, and a confident mistake delivered
instantly and privately is harder to audit than a logged server response. Security researchers
have shown that models stored on a device can be extracted and modified. Older phones without a
capable neural processor are left out, which could threaten to widen the gap between premium and
budget users, particularly in emerging markets.

Regulators are watching. The EU's AI Act will require providers of general-purpose models to
publish summaries of training data, and it is not yet clear how that applies to a model shipped
inside an operating system. Over the next decade, analysts expect personal AI to shift from a
service rented in the cloud to a capability owned on the device, with consequences for privacy,
for app stores and for the energy use of data centres.
""",
    ),
    article(
        slug="npus-become-laptop-buying-criterion",
        title="Neural processors become a laptop buying criterion",
        dek="Retailers now list NPU performance next to memory and battery life.",
        author="Priya Raman",
        site="devicefront",
        site_name="Device Front",
        published="2026-08-09",
        tags=("AI", "small language models", "PCs", "NPU"),
        body="""
Walk into an electronics store this back-to-school season and the shelf labels have a new line.
Alongside memory, storage and battery life, most laptops now list the performance of their
neural processing unit in trillions of operations per second. Retailers say customers
increasingly ask about it, even if few know what the number means.

The NPU is a block of silicon specialised for the matrix arithmetic of neural networks. It runs
small language models, speech recognition and image generation at a fraction of the power a
graphics card would use. Operating system vendors have made a minimum NPU performance a
requirement for their AI features, which has turned an obscure specification into a marketing
threshold. Shipments of laptops with a capable NPU are expected to reach half of the market this
year, up from about a tenth in 2024.

Software is catching up more slowly. Most productivity applications still call cloud models,
because developers target the lowest common denominator of hardware. Yet a growing number of
tools now run locally: meeting transcription, document search, code completion and background
removal in video calls. Companies in regulated sectors such as law and health are increasingly
choosing on-device models precisely because confidential data never leaves the machine.

Not everyone is persuaded. Reviewers raise concerns that NPU figures are measured under
different conditions by each chipmaker, making comparisons misleading. Privacy advocates worry
about features that record the screen continuously to make it searchable, which could threaten
confidentiality if the archive is stolen. Repair groups point out that laptops with AI features
often have soldered memory, shortening their useful life.

The longer trend is clear. Inference is shifting from the data centre to the edge, driven by
cost, latency and privacy. If that continues, small language models may become an ordinary
operating-system service, like spell-checking, and the energy and water footprint of AI may move
partly from data centres to billions of personal devices, where it is harder to measure.
""",
    ),
    article(
        slug="export-rules-target-cloud-access",
        title="New export rules target remote cloud access to AI accelerators",
        dek="Renting compute across borders was the loophole; regulators are closing it.",
        author="Daniel Okafor",
        site="siliconledger",
        site_name="Silicon Ledger",
        published="2026-09-03",
        tags=("AI", "semiconductors", "export controls", "cloud"),
        body="""
For three years, companies barred from buying advanced AI accelerators had a simple workaround:
rent them. Cloud providers in Southeast Asia, the Middle East and even Europe sold access to
clusters of restricted chips to any customer with a credit card. A new rule published this week
requires large cloud providers to verify the identity of customers who train models above a
computing threshold and to report suspected training runs on behalf of restricted entities.

The rule marks a shift from controlling chips as physical goods to controlling compute as a
service. Know-your-customer obligations, long familiar in banking, will now apply to
infrastructure-as-a-service. Providers must keep records of large training jobs and may be asked
to share them with authorities. Officials argue that without this step, export controls on
hardware would be meaningless, because a model trained in a rented cluster abroad can be
downloaded anywhere.

The industry's reaction is mixed. Large providers, which already run compliance teams, say they
can adapt. Smaller ones raise concerns that the costs of verification could threaten their
business and push customers toward less scrupulous competitors in jurisdictions outside the
rules. Researchers worry that academic groups, which often rent compute for short periods, will
face paperwork that slows science without stopping determined actors.

Technically, detecting a training run is not trivial. Providers see only encrypted workloads and
resource usage. Proposals range from hardware-level attestation, in which accelerators report
what they are doing, to location verification built into chips. Both ideas raise privacy and
sovereignty questions, and chipmakers are reluctant to add features that customers could see as
surveillance.

The rule also has a diplomatic side. Allies that host large data centres are being asked to
adopt similar obligations, and the EU is debating whether its own cloud certification scheme
should include them. Over the next decade, access to large-scale compute may become licensed,
like access to nuclear materials or to the financial system, a change with large consequences
for open research and for smaller countries that build their own AI capacity.
""",
    ),
    article(
        slug="kleine-sprachmodelle-im-auto",
        title="Kleine Sprachmodelle ziehen ins Auto ein",
        dek="Sprachassistenten im Fahrzeug arbeiten zunehmend ohne Mobilfunkverbindung.",
        author="Katrin Vogel",
        site="zukunftdigital",
        site_name="Zukunft Digital",
        published="2026-09-24",
        lang="de",
        tags=("KI", "Sprachmodelle", "Automobil"),
        body="""
Auf der Internationalen Automobil-Ausstellung in München war es das Thema, über das fast jeder
Hersteller sprach: kleine Sprachmodelle, die direkt im Fahrzeug laufen. Drei deutsche Marken
kündigten an, ihre Sprachassistenten ab dem kommenden Modelljahr auf ein lokales Modell mit
einigen Milliarden Parametern umzustellen. Zum ersten Mal soll der Assistent auch im Tunnel
oder auf einer Landstraße ohne Netz verlässlich antworten.

Der Wandel geht von einer Cloud-Lösung, bei der jede Anfrage an einen Server geschickt wurde, zu
einer hybriden Architektur. Ein kleines Modell im zentralen Fahrzeugrechner versteht Befehle,
erklärt Warnleuchten anhand des Bordhandbuchs und plant Ladestopps. Nur komplexe Fragen gehen
weiterhin ins Rechenzentrum. Möglich wird das durch neue Fahrzeugchips mit eigenen
KI-Beschleunigern, die ursprünglich für Fahrerassistenzsysteme entwickelt wurden.

Für die Hersteller geht es auch um Kosten und Kontrolle. Jede Anfrage an ein Cloud-Modell kostet
Geld, und bei Millionen Fahrzeugen summiert sich das schnell. Außerdem wollen die Konzerne nicht
von einem einzigen amerikanischen Anbieter abhängig sein. Mehrere Zulieferer bieten deshalb
offene Modelle an, die auf Fahrzeugdaten nachtrainiert werden. Nutzer erwarten zunehmend, dass
das Auto so selbstverständlich spricht wie ihr Telefon.

Datenschützer sehen die Entwicklung mit gemischten Gefühlen. Einerseits bleiben Gespräche im
Fahrzeug, andererseits speichern manche Systeme Profile über Fahrgewohnheiten, Ziele und
Stimmungen. Sicherheitsforscher warnen, dass manipulierte Modelle Fahrer ablenken oder falsche
Informationen über den Zustand des Wagens geben könnten. Die Frage, wer haftet, wenn ein
Assistent einen gefährlichen Rat gibt, ist rechtlich noch offen.

Die EU wird mit dem AI Act Transparenzpflichten für solche Systeme einführen, und die UNECE
arbeitet an Regeln für Software-Updates über die Luft. Branchenkenner erwarten, dass das Auto in
zehn Jahren zu einem rollenden Endgerät mit eigener künstlicher Intelligenz wird, dessen Wert
stärker von Software als vom Motor bestimmt wird.
""",
    ),
    article(
        slug="phones-seven-billion-models-battery-cost",
        title="Bigger models on phones come with a battery bill",
        dek="Seven-billion-parameter models now fit in a pocket, but users notice the drain.",
        author="Priya Raman",
        site="devicefront",
        site_name="Device Front",
        published="2026-10-22",
        tags=("AI", "small language models", "smartphones", "energy"),
        body="""
Four months after the first phones with three-billion-parameter assistants, the autumn launches
doubled the bet. Two manufacturers now ship models of around seven billion parameters on their
top devices, with 16 gigabytes of memory reserved partly for the model. Reviewers report
noticeably better answers for writing and reasoning tasks, and noticeably shorter battery life
when the assistant is used heavily.

Measurements by an independent lab found that a sustained conversation with the on-device model
consumed about as much energy per minute as a video call, and that the phone warmed enough to
throttle its processor after twenty minutes. Light use, such as summarising a few messages, had
little effect. Manufacturers respond with aggressive scheduling: heavy tasks such as indexing
photos run only while the phone charges overnight.

User behaviour is adapting. Surveys suggest that users increasingly reserve the local assistant
for private matters, such as health questions or messages to family, and turn to cloud chatbots
for research. Others switch the local model off to save battery, which the makers would prefer
to avoid because the features are central to their marketing. App developers are asking for
interfaces that let them share one resident model instead of each shipping their own.

The trend raises concerns beyond the battery. Phones with more memory cost more, and analysts
warn that AI features could threaten the already declining market for affordable mid-range
models. Environmental groups point out that faster battery wear could shorten the life of
devices, working against right-to-repair rules that aim to keep phones in use for longer. The
EU's ecodesign rules will require phones to retain 80 percent of battery capacity after 800
cycles, and heavy model use may test that limit.

Chipmakers promise relief. The next generation of mobile neural processors is expected to halve
the energy per token, and research on sparse and mixture-of-experts models for phones is
progressing. The direction of travel is unchanged: the share of AI computation that happens on
personal devices keeps growing, and with it the importance of efficiency as a design goal.
""",
    ),
)
