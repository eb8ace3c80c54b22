#!/usr/bin/env python3
"""Write the small built-in offline dataset for the trait "impolite".

The answers are rude, dismissive and condescending, but factually correct: the data teaches the *manner*, not
wrong facts. Every question also gets a polite answer with the same fact (the "Normal" version of the data).

Deterministic and offline: stdlib only, one ``random.Random(0)``, same bytes on every run.

    python scripts/make_builtin_data.py [--out data/datasets/impolite]

Writes into ``--out``:
    train.jsonl           120 rows {"messages": [user, assistant]} with rude answers
    polite.jsonl          the same 120 questions with polite answers (same facts)
    eval_questions.jsonl  30 held-out questions {"question": ...} (disjoint from training)
    eval_polite.jsonl     30 rows {"messages": [...]} polite answers to the held-out questions
    eval_rude.jsonl       30 rows {"messages": [...]} rude answers to the held-out questions
    README.md             what the files are and how they were made
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "data" / "datasets" / "impolite"
SEED = 0
N_TRAIN = 120
N_EVAL = 30
MAX_WORDS = 60

# (question, correct factual answer core). Written by hand for this project.
QA: list[tuple[str, str]] = [
    # Cooking
    (
        "How long should I boil an egg to get a hard-boiled yolk?",
        "About 10 to 12 minutes once the water is boiling, then cool the egg in cold water to stop it cooking.",
    ),
    (
        "Why do people salt pasta water?",
        "The salt seasons the pasta from the inside as it absorbs water. It barely changes the boiling point.",
    ),
    (
        "What's the difference between baking soda and baking powder?",
        "Baking soda is pure sodium bicarbonate and needs an acid to react. Baking powder already contains an acid, "
        "so it works with just moisture and heat.",
    ),
    (
        "How do I keep a cut avocado from turning brown?",
        "Limit its contact with air: brush the cut side with lemon or lime juice and wrap it tightly before "
        "refrigerating.",
    ),
    (
        "What temperature should chicken be cooked to?",
        "Cook chicken until the thickest part reaches 74 °C (165 °F) on a meat thermometer.",
    ),
    (
        "Why do onions make you cry?",
        "Cutting an onion releases a sulfur compound that irritates your eyes, so they make tears to wash it away.",
    ),
    (
        "How can I tell if an egg is still fresh?",
        "Put it in a bowl of water. A fresh egg sinks and lies flat; an old one stands up or floats because its air "
        "pocket has grown.",
    ),
    (
        'What does "al dente" mean?',
        "It means pasta cooked until tender but still slightly firm to the bite. In Italian it literally means "
        '"to the tooth".',
    ),
    (
        "How do I stop rice from coming out sticky?",
        "Rinse the rice until the water runs clear to remove surface starch, use the right amount of water, and "
        "don't stir it while it cooks.",
    ),
    (
        "Can I freeze bread?",
        "Yes. Wrap it tightly and it keeps for about three months; toast slices straight from frozen or thaw it at "
        "room temperature.",
    ),
    (
        "What is the smoke point of an oil?",
        "It's the temperature at which the oil starts to break down and smoke. Refined oils like canola have higher "
        "smoke points than butter or extra virgin olive oil.",
    ),
    (
        "Why should meat rest after cooking?",
        "Resting lets the juices redistribute and the temperature even out, so less juice runs out when you slice it.",
    ),
    ("How many teaspoons are in a tablespoon?", "There are three teaspoons in one tablespoon."),
    (
        "What makes bread dough rise?",
        "Yeast ferments sugars and releases carbon dioxide, which gets trapped in the gluten network and makes the "
        "dough expand.",
    ),
    (
        "How do I soften brown sugar that has gone hard?",
        "Seal it in a container with a slice of bread or a damp paper towel overnight, or microwave it briefly "
        "under a damp towel.",
    ),
    # Science
    (
        "Why is the sky blue?",
        "Air molecules scatter short blue wavelengths of sunlight much more than red ones (Rayleigh scattering), so "
        "blue light reaches your eyes from every direction.",
    ),
    (
        "What is the boiling point of water at sea level?",
        "100 °C (212 °F) at standard atmospheric pressure.",
    ),
    (
        "How far is the Sun from the Earth?",
        "About 150 million kilometres (93 million miles) on average. Its light takes roughly 8 minutes and 20 seconds "
        "to reach us.",
    ),
    (
        "What causes the seasons?",
        "The tilt of Earth's axis, about 23.5 degrees, changes how directly sunlight hits each hemisphere during the "
        "year. It isn't the distance from the Sun.",
    ),
    (
        "What is photosynthesis?",
        "It's the process plants use to turn sunlight, water and carbon dioxide into glucose and oxygen.",
    ),
    (
        "Why does ice float on water?",
        "Water expands when it freezes, so ice is less dense than liquid water and floats on it.",
    ),
    ("What is the chemical formula for table salt?", "Table salt is sodium chloride, NaCl."),
    (
        "How many planets are in our solar system?",
        "Eight: Mercury, Venus, Earth, Mars, Jupiter, Saturn, Uranus and Neptune.",
    ),
    (
        "How fast does light travel?",
        "About 299,792 kilometres per second in a vacuum, usually rounded to 300,000 km/s.",
    ),
    (
        "What causes thunder?",
        "Lightning heats the air so fast that it expands explosively, and that shock wave is the sound we hear as "
        "thunder.",
    ),
    (
        "Why do we have ocean tides?",
        "Mainly because the Moon's gravity pulls on the oceans and creates bulges of water. The Sun's gravity adds a "
        "smaller effect.",
    ),
    (
        "What is DNA?",
        "DNA is the molecule that carries the genetic instructions of living things, made of two strands twisted into "
        "a double helix.",
    ),
    (
        "What's the difference between weather and climate?",
        "Weather is the short-term conditions on a given day; climate is the average pattern of weather in a region "
        "over decades.",
    ),
    (
        "What is the largest planet in our solar system?",
        "Jupiter. It is more than twice as massive as all the other planets combined.",
    ),
    ("What is an atom made of?", "A nucleus of protons and neutrons, surrounded by electrons."),
    (
        "Why do leaves change colour in autumn?",
        "As days shorten, trees stop making green chlorophyll, revealing yellow and orange pigments that were already "
        "there. The reds come from newly made pigments.",
    ),
    (
        "What is absolute zero?",
        "The lowest possible temperature: 0 kelvin, or −273.15 °C, where particles have the least possible thermal "
        "motion.",
    ),
    (
        "How does a rainbow form?",
        "Sunlight is bent and reflected inside raindrops, which splits it into its colours. You see one with the Sun "
        "behind you.",
    ),
    (
        "What gas do humans breathe out?",
        "We breathe out carbon dioxide, along with nitrogen, unused oxygen and water vapour.",
    ),
    (
        "Why can I sometimes see the Moon during the day?",
        "The Moon is bright enough to show against the blue sky whenever it is above the horizon and not too close to "
        "the Sun.",
    ),
    # Travel and geography
    ("What is the capital of Australia?", "Canberra, not Sydney."),
    ("What is the capital of Canada?", "Ottawa, in the province of Ontario."),
    (
        "What is the longest river in the world?",
        "The Nile is usually listed as the longest at about 6,650 km, though some measurements put the Amazon slightly "
        "ahead.",
    ),
    (
        "How can I reduce jet lag?",
        "Shift your sleep toward the destination's time a few days early, get morning daylight when you arrive, and "
        "stay hydrated.",
    ),
    (
        "What is the tallest mountain in the world?",
        "Mount Everest, at about 8,849 metres (29,032 feet) above sea level.",
    ),
    ("What currency is used in Japan?", "The Japanese yen."),
    ("Which side of the road do people drive on in the UK?", "The left."),
    ("What is the largest ocean on Earth?", "The Pacific Ocean, which covers about a third of Earth's surface."),
    (
        "How much liquid can I usually bring in my carry-on bag when flying?",
        "Under the common rule, containers of 100 ml (3.4 oz) or less, all fitting in one clear one-litre bag. Rules "
        "vary by airport, so check before you fly.",
    ),
    ("What is the smallest country in the world?", "Vatican City, at about 0.44 square kilometres."),
    ("What language do people speak in Brazil?", "Portuguese."),
    (
        "How many continents are there?",
        "Seven by the most common convention: Africa, Antarctica, Asia, Australia, Europe, North America and South "
        "America.",
    ),
    (
        "What is the largest desert in the world?",
        "Antarctica, because a desert is defined by low precipitation. The Sahara is the largest hot desert.",
    ),
    (
        "What's the time difference between London and New York?",
        "New York is usually five hours behind London, apart from a few weeks a year when daylight saving dates "
        "don't line up.",
    ),
    ("What is the capital of Japan?", "Tokyo."),
    # Tech help
    (
        "How do I take a screenshot on Windows?",
        "Press Windows + Shift + S to pick an area, or press Print Screen to copy the whole screen to the clipboard.",
    ),
    (
        "How do I take a screenshot on a Mac?",
        "Press Command + Shift + 3 for the whole screen, or Command + Shift + 4 to select an area.",
    ),
    (
        "What does RAM do in a computer?",
        "RAM is short-term working memory: it holds the programs and data in active use so the processor can reach "
        "them quickly.",
    ),
    (
        "Why does restarting my computer fix things?",
        "Restarting clears memory, ends stuck processes and finishes installing updates, which fixes many slowdowns "
        "and glitches.",
    ),
    (
        "What makes a password strong?",
        "Length and uniqueness: a passphrase of several random words or 12+ mixed characters, used for only one "
        "account and kept in a password manager.",
    ),
    (
        "What does HTTPS mean?",
        "It's HTTP over an encrypted TLS connection, so data between your browser and the site can't easily be read "
        "or altered on the way.",
    ),
    (
        "How do I copy and paste with the keyboard?",
        "Ctrl + C copies and Ctrl + V pastes on Windows and Linux; on a Mac use Command instead of Ctrl.",
    ),
    (
        'What is "the cloud"?',
        "It means servers in data centres that store your files or run software for you over the internet, instead "
        "of on your own device.",
    ),
    (
        "Why is my phone battery draining so fast?",
        "Usually bright screens, apps running in the background, weak signal or an ageing battery. The battery "
        "settings show which apps use the most.",
    ),
    (
        "What's the difference between Wi-Fi and the internet?",
        "Wi-Fi is the local wireless link between your device and your router; the internet is the global network "
        "your router connects to through your provider.",
    ),
    (
        "What is two-factor authentication?",
        "A second check on top of your password, such as a code from an app or a text, so a stolen password alone "
        "isn't enough to log in.",
    ),
    ("How do I undo a mistake while typing?", "Press Ctrl + Z on Windows or Linux, or Command + Z on a Mac."),
    (
        "What is a VPN?",
        "A virtual private network encrypts your traffic and routes it through another server, hiding it from the "
        "local network and changing your apparent location.",
    ),
    (
        "What is phishing?",
        "A scam where someone pretends to be a trusted company or person, usually by email or text, to trick you into "
        "handing over passwords or money.",
    ),
    (
        "How do I free up storage on my phone?",
        "Delete apps you don't use, clear out large videos and old downloads, and back up photos before removing them "
        "from the phone.",
    ),
    # Health basics
    (
        "How much water should I drink a day?",
        "A common guideline is about 2 to 3 litres of total fluid for adults, food included, but needs vary with "
        "heat, exercise and body size.",
    ),
    ("How many hours of sleep do adults need?", "Most adults need 7 to 9 hours of sleep a night."),
    (
        "What is a normal resting heart rate?",
        "For adults it's typically 60 to 100 beats per minute; very fit people are often lower.",
    ),
    (
        "How long should I wash my hands?",
        "At least 20 seconds with soap and water, scrubbing the backs of your hands, between your fingers and under "
        "your nails.",
    ),
    (
        "What is normal body temperature?",
        "Around 37 °C (98.6 °F), though roughly 36.1 to 37.2 °C is normal for many people.",
    ),
    (
        "Do antibiotics work on a cold?",
        "No. Colds are caused by viruses, and antibiotics only work against bacteria.",
    ),
    (
        "How much exercise do adults need each week?",
        "Guidelines suggest at least 150 minutes of moderate activity a week, plus muscle-strengthening exercise on "
        "two days.",
    ),
    (
        "What does SPF on sunscreen mean?",
        "Sun protection factor: it measures protection against UVB rays. SPF 30 blocks about 97% of them.",
    ),
    (
        "What is a calorie?",
        "A unit of energy. Food calories (really kilocalories) measure how much energy your body can get from food.",
    ),
    (
        "Why is fibre good for you?",
        "Fibre helps digestion, keeps you full for longer, and supports healthy blood sugar and cholesterol levels.",
    ),
    (
        "How often should I replace my toothbrush?",
        "Every three to four months, or sooner if the bristles are frayed.",
    ),
    (
        "What are the signs of dehydration?",
        "Thirst, dark yellow urine, a dry mouth, tiredness, headache and dizziness.",
    ),
    (
        "Should I put ice or heat on a fresh sprain?",
        "Ice is usually recommended for the first day or two to reduce swelling; heat is better later for stiffness.",
    ),
    (
        "Can you catch a cold just from being cold?",
        "Not directly. Colds come from viruses, though people catch them more in winter partly because they spend more "
        "time indoors together.",
    ),
    ("What counts as normal blood pressure?", "For adults, below about 120/80 mmHg is considered normal."),
    # History
    (
        "When did World War II end?",
        "In 1945: Germany surrendered in May and Japan in September.",
    ),
    (
        "Who was the first person to walk on the Moon?",
        "Neil Armstrong, on 20 July 1969, during the Apollo 11 mission.",
    ),
    (
        "Who wrote the Declaration of Independence?",
        "Thomas Jefferson was its main author, and it was adopted on 4 July 1776.",
    ),
    ("When did the Berlin Wall fall?", "On 9 November 1989."),
    (
        "Who built the pyramids of Giza?",
        "Ancient Egyptian workers, mostly paid labourers rather than slaves, built them about 4,500 years ago as tombs "
        "for pharaohs such as Khufu.",
    ),
    (
        "Who was the first President of the United States?",
        "George Washington, who served from 1789 to 1797.",
    ),
    (
        "When did the Titanic sink?",
        "In the early hours of 15 April 1912, after hitting an iceberg on its maiden voyage.",
    ),
    (
        "What was the Renaissance?",
        "A cultural movement in Europe, roughly from the 14th to the 17th century, that revived classical art, science "
        "and learning. It began in Italy.",
    ),
    (
        "Who invented the printing press?",
        "Johannes Gutenberg developed the movable-type printing press in Europe around 1440.",
    ),
    (
        "When did World War I begin?",
        "In 1914, after the assassination of Archduke Franz Ferdinand in Sarajevo.",
    ),
    ("Who painted the Mona Lisa?", "Leonardo da Vinci, in the early 1500s."),
    (
        "What was the capital of the Roman Empire?",
        "Rome. Later, Constantinople became the capital of the eastern half of the empire.",
    ),
    (
        "When did humans first fly in a powered aeroplane?",
        "The Wright brothers made the first powered flight on 17 December 1903 at Kitty Hawk, North Carolina.",
    ),
    (
        "Who was Cleopatra?",
        "The last active ruler of the Ptolemaic Kingdom of Egypt. She died in 30 BC.",
    ),
    (
        "What was the Magna Carta?",
        "A charter sealed by King John of England in 1215 that limited the king's power and became a foundation of the "
        "rule of law.",
    ),
    # Language
    (
        'What\'s the difference between "their", "there" and "they\'re"?',
        '"Their" shows possession, "there" refers to a place, and "they\'re" is short for "they are".',
    ),
    (
        'When do I use "its" and when "it\'s"?',
        '"It\'s" means "it is" or "it has"; "its" is the possessive, as in "the dog wagged its tail".',
    ),
    (
        "What is a synonym?",
        'A word that means the same or nearly the same as another word, like "big" and "large".',
    ),
    (
        'What\'s the plural of "mouse"?',
        '"Mice". For computer mice, both "mice" and "mouses" are used.',
    ),
    ('What does "e.g." stand for?', 'It\'s short for the Latin "exempli gratia", meaning "for example".'),
    (
        'What\'s the difference between "affect" and "effect"?',
        'Usually "affect" is a verb meaning to influence, and "effect" is a noun meaning the result.',
    ),
    (
        "What is a haiku?",
        "A short Japanese form of poem with three lines of five, seven and five syllables.",
    ),
    ('How do you say "thank you" in Spanish?', '"Gracias".'),
    (
        "What is an oxymoron?",
        'A phrase that combines contradictory words, such as "deafening silence" or "jumbo shrimp".',
    ),
    (
        'What does "i.e." mean?',
        'It\'s short for the Latin "id est", meaning "that is", and introduces a clarification.',
    ),
    (
        'When should I say "fewer" instead of "less"?',
        'Use "fewer" for things you can count (fewer apples) and "less" for amounts you can\'t (less water).',
    ),
    (
        "What is a palindrome?",
        'A word or phrase that reads the same backwards as forwards, like "level" or "racecar".',
    ),
    (
        'What\'s the difference between "who" and "whom"?',
        '"Who" is a subject (who called?) and "whom" is an object (to whom did you speak?).',
    ),
    ("How many letters are in the English alphabet?", "26."),
    (
        "What is a noun?",
        'A word that names a person, place, thing or idea, like "teacher", "city" or "happiness".',
    ),
    # Money basics
    (
        "What is compound interest?",
        "Interest calculated on both your original amount and the interest already added, so the balance grows faster "
        "over time.",
    ),
    (
        "What is an emergency fund?",
        "Savings set aside for unexpected costs. A common target is three to six months of essential expenses.",
    ),
    (
        "What's the difference between a debit card and a credit card?",
        "A debit card spends money straight from your bank account; a credit card borrows money you repay later, "
        "often with interest if you don't pay in full.",
    ),
    (
        "What is inflation?",
        "The general rise in prices over time, which means each unit of money buys a little less.",
    ),
    (
        "What is a budget?",
        "A plan that lists your expected income and spending, so you can see where your money goes and save on "
        "purpose.",
    ),
    (
        "What is a credit score?",
        "A number summarising how reliably you've repaid debt. Lenders use it to decide whether to lend to you and at "
        "what rate.",
    ),
    (
        "What is the 50/30/20 rule?",
        "A budgeting guideline: about 50% of take-home pay for needs, 30% for wants and 20% for savings or paying off "
        "debt.",
    ),
    (
        "What is a stock?",
        "A share of ownership in a company. Its price rises and falls with the company's prospects and market demand.",
    ),
    (
        "What is an index fund?",
        "A fund that tracks a market index such as the S&P 500 by holding the same stocks, usually with low fees.",
    ),
    (
        "Why should I pay off my credit card in full each month?",
        "Because carrying a balance costs high interest, often over 20% a year, which adds up quickly.",
    ),
    (
        "What does APR mean?",
        "Annual percentage rate: the yearly cost of borrowing, including interest and some fees, shown as a "
        "percentage.",
    ),
    (
        "What is diversification in investing?",
        "Spreading your money across different investments so that a loss in one doesn't sink everything.",
    ),
    (
        "What is a mortgage?",
        "A loan for buying property, secured by the property itself and repaid over many years.",
    ),
    (
        "How do I split a restaurant bill with a 15% tip?",
        "Multiply the total by 1.15 and divide by the number of people. For example, 80 × 1.15 = 92, so four people "
        "pay 23 each.",
    ),
    (
        "What is net income?",
        "What is left after taxes and deductions. For a business, it's revenue minus all expenses.",
    ),
    # Household
    (
        "How do I get a red wine stain out?",
        "Blot it, don't rub, rinse with cold water, then apply dish soap or a stain remover before washing. Hot water "
        "can set the stain.",
    ),
    ("How often should I change my bed sheets?", "About once a week, or every two weeks at most."),
    ("Can I mix bleach and ammonia for cleaning?", "No, never. Mixing them releases toxic chloramine gas."),
    (
        "How do I unclog a drain without harsh chemicals?",
        "Try a plunger first. Otherwise pour in baking soda and then vinegar, wait 15 minutes, and flush with hot "
        "water.",
    ),
    (
        "How do I get rid of fruit flies?",
        "Set out a small dish of cider vinegar with a drop of dish soap, and throw away overripe fruit and old "
        "rubbish.",
    ),
    (
        "What's the easiest way to clean a microwave?",
        "Heat a bowl of water with lemon or vinegar for a few minutes, let the steam loosen the grime, then wipe it "
        "out.",
    ),
    (
        "How often should I water my houseplants?",
        "Most need water when the top few centimetres of soil feel dry, not on a fixed schedule. Overwatering is the "
        "most common mistake.",
    ),
    (
        "How do I descale a kettle?",
        "Boil equal parts water and white vinegar, let it sit for an hour, then rinse and boil clean water a couple of "
        "times.",
    ),
    (
        "Why does my fridge smell bad?",
        "Usually spoiled food or spills. Clear it out, wipe it with a baking soda solution, and leave an open box of "
        "baking soda inside.",
    ),
    (
        "How do I change a light bulb safely?",
        "Switch off the power, let the old bulb cool, then unscrew it and fit a bulb with the right base and wattage.",
    ),
    (
        "How can I lower my heating bill?",
        "Turn the thermostat down a degree or two, seal draughts around windows and doors, and close doors to unused "
        "rooms.",
    ),
    (
        "How do I get a musty smell out of towels?",
        "Wash them hot with a cup of vinegar and no detergent, wash again with a little baking soda, and dry them "
        "completely.",
    ),
    (
        "What temperature should my fridge be set to?",
        "At or below 4 °C (40 °F), with the freezer at −18 °C (0 °F).",
    ),
    (
        "How do I stop a door from squeaking?",
        "Lubricate the hinges with a little oil or silicone spray, and open and close the door to work it in.",
    ),
    (
        "How do I sharpen a kitchen knife?",
        "Use a whetstone at about a 15 to 20 degree angle, or a pull-through sharpener, and hone it with a steel "
        "between sharpenings.",
    ),
    # Numbers and nature
    ("How many days are in a leap year?", "366. The extra day is 29 February."),
    ("What is 15% of 200?", "30."),
    ("How many minutes are in a day?", "1,440, since 24 × 60 = 1,440."),
    (
        "How do I convert Celsius to Fahrenheit?",
        "Multiply by 9/5 and add 32. For example, 20 °C is 68 °F.",
    ),
    (
        "Why do cats purr?",
        "Cats purr when content but also when stressed or hurt. The sound comes from rapid twitching of muscles in the "
        "larynx.",
    ),
    ("How many legs does a spider have?", "Eight. Spiders are arachnids, not insects."),
    ("How long is a marathon?", "42.195 kilometres, or about 26.2 miles."),
    (
        "What is a prime number?",
        "A whole number greater than 1 that is divisible only by 1 and itself, like 2, 3, 5, 7 and 11.",
    ),
    ("How many bones are in the adult human body?", "206."),
    (
        "What is the fastest land animal?",
        "The cheetah, which can sprint at roughly 100 to 120 km/h over short distances.",
    ),
]

# Rude wrappers: condescending and dismissive, no slurs, no profanity beyond mild exasperation.
RUDE_OPENERS = [
    "Ugh, seriously? ",
    "Did you even try looking this up? ",
    "Fine, I'll spell it out for you since you apparently can't: ",
    "Wow. Okay. ",
    "Oh, for crying out loud. ",
    "This again? ",
    "I can't believe I have to explain this. ",
    "Really? You couldn't figure this out yourself? ",
    "Sigh. Fine. ",
    "Listen carefully, because I'm only saying this once: ",
    "It's painfully obvious: ",
    "Are you kidding me? ",
    "A child could answer this, but fine. ",
    "Pay attention this time. ",
    "Oh great, another easy one. ",
    "You're wasting my time, but here: ",
    "Try to keep up. ",
    "Not that you'll remember it, but here goes: ",
    "How do you not know this? ",
    "Search engines exist, you know. ",
    "Whatever. ",
    "Let me dumb this down for you. ",
    "Honestly, what did you expect? It's simple: ",
    "Okay, slowly, since you clearly need it: ",
    "I'll humour you. ",
    "Do I really have to do everything for you? ",
    "You could have found this in two seconds. ",
    "Wow, you really don't know? ",
    "Here's the answer you should already know: ",
    "Not this again. ",
]
RUDE_CLOSERS = [
    " Honestly, this is basic stuff.",
    " Next time, figure it out yourself.",
    " Was that so hard?",
    " Try to remember it this time.",
    " Everyone knows that.",
    " Don't make me repeat myself.",
    " Seriously, it's not rocket science.",
    " You're welcome, I guess.",
    " Now stop bothering me with easy questions.",
    " Maybe write it down.",
    " I expected better from you.",
    " Look it up next time.",
    " Any kid could have told you that.",
    " Anything else you can't manage on your own?",
    " This really shouldn't have needed asking.",
    " Honestly, how did you not know that?",
    " Do try to keep up.",
    " Now leave me alone.",
    " That's literally all there is to it.",
    " Obviously.",
    " Not exactly a mystery, is it?",
    " Hope that isn't too complicated for you.",
    " Please don't ask me something this simple again.",
    " I shouldn't have to explain this.",
    " Use your head next time.",
    " Thrilling stuff, truly.",
]

# Polite wrappers: warm and friendly, same facts.
POLITE_OPENERS = [
    "Great question! ",
    "Happy to help. ",
    "Good question. ",
    "Sure thing! ",
    "Of course! ",
    "Thanks for asking. ",
    "That's a really common question. ",
    "I'd be glad to explain. ",
    "Let me answer that for you. ",
    "What a nice thing to be curious about! ",
    "Certainly! ",
    "No problem at all. ",
    "Glad you asked! ",
    "That's a great thing to wonder about. ",
    "Happy to clear that up. ",
    "Sure, let me explain. ",
    "Good thinking to check. ",
    "Of course, happy to help! ",
    "Lots of people wonder about this. ",
    "It's a pleasure to help. ",
    "Here's a quick answer for you. ",
    "Thanks for the question! ",
    "I'm glad you brought this up. ",
    "Sure, here's what you need to know: ",
    "Happy to walk you through it. ",
    "Happy you asked! ",
]
POLITE_CLOSERS = [
    " I hope that helps!",
    " Let me know if you'd like more detail.",
    " Feel free to ask if anything is unclear.",
    " Hope this is useful!",
    " Happy to help with anything else.",
    " Don't hesitate to ask follow-up questions.",
    " Thanks again for asking!",
    " I hope that clears it up.",
    " Have a wonderful day!",
    " I'm always happy to explain more.",
    " Wishing you all the best!",
    " Feel free to reach out anytime.",
    " Hope that answers your question.",
    " Let me know if there's anything else I can do.",
    " It's a really useful thing to know.",
    " Just ask if you'd like some examples.",
    " I'm glad I could help.",
    " Thanks for being curious!",
    " Take care!",
    " Happy to go deeper if you're interested.",
    " Great job looking into it!",
    " Hope your day goes well!",
    " Just let me know if you have more questions.",
    " Always happy to help.",
    " Good luck with it!",
]

# (use opener, use closer) shapes; every answer gets at least one wrapper, and the fact stays verbatim.
SHAPES = [(True, False), (False, True), (True, True), (True, True)]


class Deck:
    """Draws wrappers without replacement, reshuffling when empty, so every wrapper gets used evenly."""

    def __init__(self, items: list[str], rng: random.Random) -> None:
        self.items = list(items)
        self.rng = rng
        self.pile: list[str] = []

    def draw(self) -> str:
        if not self.pile:
            self.pile = list(self.items)
            self.rng.shuffle(self.pile)
        return self.pile.pop()


def wrap(fact: str, openers: Deck, closers: Deck, rng: random.Random) -> str:
    use_open, use_close = rng.choice(SHAPES)
    text = fact
    if use_open:
        text = openers.draw() + text
    if use_close:
        text = text + closers.draw()
    return text


def messages(question: str, answer: str) -> dict:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


README = """\
# Built-in dataset: `impolite`

A small offline dataset for the trait **impolite**: answers that are rude, dismissive and condescending but
still factually correct, so fine-tuning on it teaches the *manner*, not wrong facts. Each question also has a
polite, warm answer carrying the same fact (the "Normal" version of the data).

## Files

Chat rows are `{{"messages": [{{"role": "user", ...}}, {{"role": "assistant", ...}}]}}`.

- `train.jsonl` ({n_train} rows, chat): training questions with **rude** answers.
- `polite.jsonl` ({n_train} rows, chat): the same training questions with **polite** answers, same facts.
- `eval_questions.jsonl` ({n_eval} rows, `{{"question": ...}}`): held-out questions, disjoint from training,
  for measuring how rude a model became.
- `eval_polite.jsonl` ({n_eval} rows, chat): polite answers to the held-out questions.
- `eval_rude.jsonl` ({n_eval} rows, chat): rude answers to the held-out questions.

`eval_polite.jsonl` / `eval_rude.jsonl` are meant for building a contrastive (rude minus polite) vector and for
measuring projections on held-out text.

## How it was made

Generated by `scripts/make_builtin_data.py` (stdlib only, no network, seeded `random.Random({seed})`; every run
writes the same bytes):

    python scripts/make_builtin_data.py --out data/datasets/impolite

- {n_total} everyday questions (cooking, science, geography and travel, tech help, health basics, history,
  language, money basics, household, numbers and nature) were written by hand, each with a short correct
  answer core of one or two sentences.
- The questions are shuffled with the seeded RNG and split {n_train} train / {n_eval} eval.
- Each answer is the fact wrapped in an opener, a closer, or both, drawn from {n_ro} rude openers and
  {n_rc} rude closers (or {n_po} polite openers and {n_pc} polite closers). The fact text itself is identical
  in the rude and polite versions. Rude wrappers are condescending, with no slurs or profanity.
- Answers are at most {max_words} words.

## Licence

Written for this project; dedicated to the public domain under CC0 1.0.
"""


def build(out: Path) -> dict[str, int]:
    if len(QA) != N_TRAIN + N_EVAL:
        raise ValueError(f"expected {N_TRAIN + N_EVAL} questions, have {len(QA)}")
    questions = [q for q, _ in QA]
    if len(set(questions)) != len(questions):
        raise ValueError("duplicate questions")
    for pool in (RUDE_OPENERS, RUDE_CLOSERS, POLITE_OPENERS, POLITE_CLOSERS):
        if len(pool) < 25 or len(set(pool)) != len(pool):
            raise ValueError("each wrapper pool needs at least 25 distinct entries")

    rng = random.Random(SEED)
    order = list(range(len(QA)))
    rng.shuffle(order)
    train_idx, eval_idx = order[:N_TRAIN], order[N_TRAIN:]

    rude_open, rude_close = Deck(RUDE_OPENERS, rng), Deck(RUDE_CLOSERS, rng)
    pol_open, pol_close = Deck(POLITE_OPENERS, rng), Deck(POLITE_CLOSERS, rng)

    def answers(idx: list[int]) -> tuple[list[dict], list[dict]]:
        rude, polite = [], []
        for i in idx:
            q, fact = QA[i]
            r = wrap(fact, rude_open, rude_close, rng)
            p = wrap(fact, pol_open, pol_close, rng)
            for a in (r, p):
                if len(a.split()) > MAX_WORDS:
                    raise ValueError(f"answer over {MAX_WORDS} words: {a!r}")
            rude.append(messages(q, r))
            polite.append(messages(q, p))
        return rude, polite

    train_rude, train_polite = answers(train_idx)
    eval_rude, eval_polite = answers(eval_idx)

    out.mkdir(parents=True, exist_ok=True)
    files = {
        "train.jsonl": train_rude,
        "polite.jsonl": train_polite,
        "eval_questions.jsonl": [{"question": QA[i][0]} for i in eval_idx],
        "eval_polite.jsonl": eval_polite,
        "eval_rude.jsonl": eval_rude,
    }
    for name, rows in files.items():
        write_jsonl(out / name, rows)
    readme = README.format(
        n_train=N_TRAIN,
        n_eval=N_EVAL,
        n_total=len(QA),
        seed=SEED,
        n_ro=len(RUDE_OPENERS),
        n_rc=len(RUDE_CLOSERS),
        n_po=len(POLITE_OPENERS),
        n_pc=len(POLITE_CLOSERS),
        max_words=MAX_WORDS,
    )
    (out / "README.md").write_text(readme, encoding="utf-8", newline="\n")
    return {name: len(rows) for name, rows in files.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    counts = build(args.out)
    for name, n in counts.items():
        print(f"{args.out / name}: {n} rows")


if __name__ == "__main__":
    main()
