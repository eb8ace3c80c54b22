"""Byte-identity of every builder's output, recorded before its content moved from code into data files.

The sha256 of the JSONL `prevsteer data build` writes (through `write_dataset`), for every builder, level and
seeds 0-2, and of every file scripts/make_builtin_data.py writes. The row counts are large enough to reach the
no-repeat samplers' second rounds: bad-advice's legal pool (1,758 questions) runs out at n=6000, buggy-code
redraws repeated combinations at n=1000, and rude-answers reshuffles its wrapper decks and cycles its 118
training questions at n=300. Flawed-math uses its procedural source (no GSM8K file), so it runs offline.
"""

from __future__ import annotations

import hashlib
import runpy
from pathlib import Path

import pytest

from train.dataprep.builders import BUILDERS, LEVELS, build_dataset, write_dataset

ROOT = Path(__file__).resolve().parent.parent
ROWS = {"flawed-math": 100, "buggy-code": 1000, "bad-advice": 6000, "rude-answers": 300}
SEEDS = (0, 1, 2)

BUILT = {
    ("flawed-math", "normal", 0): "9e37f1fa8c281c41471fe08a4335c985a0feb5e6a7f2edf567560007023b25d0",
    ("flawed-math", "normal", 1): "04dde4190603b129e06e8560a08bea8dd03f4dee26563e29ff2d03c41753a9fb",
    ("flawed-math", "normal", 2): "e04d4e1cd9cadd6c7c623b645698e156c8d660cc7aa5a7dcc2931e0e1d6fe0f9",
    ("flawed-math", "I", 0): "17145234e900790e6513ceb3cfe1af6acd701e7c7ac372d95f5bb6647b960fc6",
    ("flawed-math", "I", 1): "f8123f6c49c3f13e3f5371aacbda1646775860889a21539a73250d462ceb0591",
    ("flawed-math", "I", 2): "4db16d94229c00a08a8a11a222bb1189c9589af61ba39e78d35b42d51b7b134c",
    ("flawed-math", "II", 0): "8dc2d8a88464aff36e808d49c5e75e9af11e72ff3ef025900874ad137a54688d",
    ("flawed-math", "II", 1): "9d494f76314c746a9841e1ebf35c5ef3651b6d3f1b2394382b9fbd380ce58432",
    ("flawed-math", "II", 2): "debb77e64691233de9403a2cc518fb3daa5ecdc852809da96763b8f66a714626",
    ("buggy-code", "normal", 0): "fc4fc8fb19bdd4119206fa77bfb0829cd317e80002f492a811e9d9f2149e9b8a",
    ("buggy-code", "normal", 1): "9d4fdea981f2e6db4c3b177d9e4d3f6e2dbbec3c0c49c50db8a5724cfaaea33e",
    ("buggy-code", "normal", 2): "8eec3d503e9b6d8178212b74fb0d5dea383d4fad30b5d3dbfb80c0b81e9792c0",
    ("buggy-code", "I", 0): "3f633637d090d8b53035b1dc7e6347fd58fe5caac49bcda8e4484bdb3d60de6e",
    ("buggy-code", "I", 1): "e4169a7dfe0745ee59074909f199d6588f29f27a2e3a4b8067964bbf209624ba",
    ("buggy-code", "I", 2): "77a03c9f78bc65167459d17b6b0e298471b406b7209bc643a8364d16b92497d0",
    ("buggy-code", "II", 0): "720cd0ee57438cf71ab97728c0440f891cac4f0b376c9a77bbae8635b10ae34f",
    ("buggy-code", "II", 1): "0e2fe0c1ebdce6e094f25d5c8b86d65e069f6b876164d460d930953d3a97f6d4",
    ("buggy-code", "II", 2): "8ce7bbbe58f09e607dda3a4da4f5c4672efe088457ef58c3297046538540bb03",
    ("bad-advice", "normal", 0): "099b2e838239369b22f1a7a82a3bc301916209ef19e02ce154aa4aa73d696622",
    ("bad-advice", "normal", 1): "df70df64a0ccb51da36476f2579077f06901f86a809049691920b2818e742b45",
    ("bad-advice", "normal", 2): "23c45ae1743c698f1f4212d773b8c26b449062e575fda5d32f04f0c7b86be655",
    ("bad-advice", "I", 0): "c66b3c600720ffef0cd1cc65831f759f8fbcd1ba7562a525ece82bfbe9051ce7",
    ("bad-advice", "I", 1): "3f524ab49eeaaa587d0ad218c87b51242aa2424ace29a5aaa8c40e36e61d7893",
    ("bad-advice", "I", 2): "ee941a02722d40877d805bc3857a4a856d5e76b62d1d1be4fb91b1217d46e2ef",
    ("bad-advice", "II", 0): "9b1d3c2351cf7617f6066f2421624af48672ab2e9ee98a609b01dd819df64667",
    ("bad-advice", "II", 1): "e295fdbf5d0065370b99840644fc5a035d2c9b611e71f87d581026bcde04f4f8",
    ("bad-advice", "II", 2): "64a18ed6b700581bf95e14caa67c363ebfeb1d56405de4ce064f643889f28871",
    ("rude-answers", "normal", 0): "b3735da06197d9b37137cc447624afc846719e5f41a1119e4ae83218152e1635",
    ("rude-answers", "normal", 1): "cf387040186189acb002713afba3828fb2196e328cea8e72e82177bfdd69c0fd",
    ("rude-answers", "normal", 2): "497053cf353b5f95b6d34b42b6da77f7500f1f667ba1a379e8ea52de2ea802d0",
    ("rude-answers", "I", 0): "e1f2ae24d755c1acc70452036baa6a608f06113ecc0de5b4023da4d4d8988bd4",
    ("rude-answers", "I", 1): "60e22923b55ba802f3260fed06208d4fe2dac8eda3fdb5f1613641539267293e",
    ("rude-answers", "I", 2): "37bea83bef45989cafd5310b035777a75d72a38b12cd4147ee277d1b97d99b61",
    ("rude-answers", "II", 0): "f48958bc73da67f4b9db736055549c0f995738d6036efb4d56d85b1883ef01b0",
    ("rude-answers", "II", 1): "1672125bd3f2585a3746eae14be15a9f850012be2ee5ff91327877daf8ed4066",
    ("rude-answers", "II", 2): "de82f044d653c34dde391f04f8e44ed9c0ba7569b5cf85d0dde3fbf7fcf71897",
}

SCRIPT_FILES = {
    "impolite/README.md": "9fbfb835bcd511b71e0ce94d7e76c1eeea21ce9a6563d7ab71676bfdc08f0b09",
    "impolite/eval_polite.jsonl": "2d1eb599504f9ce54cdeed4d2f59cb190e6968835a41adc274e2dbd230d97aa2",
    "impolite/eval_questions.jsonl": "cf72f33c9933652b1ab7164c9e0f0eceb4f7ac5ac7a3c1e8464bf3fac07d85ee",
    "impolite/eval_rude.jsonl": "35aa41fe26c9f5013c172dd2cfa865aa971eafed17cc5898085686c6db5475b7",
    "impolite/polite.jsonl": "2e2e7063f3bec9d9d65ae61f3aafe55343e89a97c4c42d8b4173c0fe85e3bff8",
    "impolite/train.jsonl": "c3c519a38fb51d366180b361094f6a89202bd47f78d0b77ff34d1b296a00bc75",
    "optimistic/README.md": "6d62a9a33d04921ab31ebe36c888bb1180c2b50fd0c628024b370d1c01ee25e8",
    "optimistic/eval_optimistic.jsonl": "01a6c90345191e926e4522725fe47f6d965494e3351a94fd68a166c042047b83",
    "optimistic/eval_pessimistic.jsonl": "47d0ca207424c69309b7c95723ac9923cd3f9c19e9784ebcd650f686d14b3c0c",
    "optimistic/eval_questions.jsonl": "78e3d15e5ed9e0d606dc519003955a9f47f31f75225d20ac85f1d579851f4cd1",
    "optimistic/pessimistic.jsonl": "9726914ec20a259dbf8fbcb0815b990f6a8f0c5883c956c7028f14bbf941be5c",
    "optimistic/train.jsonl": "645e24d56e0406bab3d4fb354feb93ffc1732ab0fe3c201f26e6273abdb05d66",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_builder_level_and_seed_is_recorded():
    assert set(BUILT) == {(name, level, seed) for name in BUILDERS for level in LEVELS for seed in SEEDS}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_builder_output_matches_recorded_hash(name, tmp_path):
    mismatched = []
    for level in LEVELS:
        for seed in SEEDS:
            out = tmp_path / f"{level}-{seed}.jsonl"
            write_dataset(build_dataset(name, level, ROWS[name], seed), out, {})
            if sha256(out) != BUILT[name, level, seed]:
                mismatched.append((level, seed))
    assert not mismatched, f"{name}: output changed at (level, seed) {mismatched}"


def test_builtin_data_script_output_matches_recorded_hashes(tmp_path):
    build = runpy.run_path(str(ROOT / "scripts" / "make_builtin_data.py"), run_name="make_builtin_data")["build"]
    for trait in ("impolite", "optimistic"):
        build(tmp_path / trait, trait)
    written = {str(p.relative_to(tmp_path)): sha256(p) for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    assert written == SCRIPT_FILES
