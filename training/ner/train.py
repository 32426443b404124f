"""Train claimwatch_en and optionally ship model-best into extractors/models/claimwatch_en.

Usage: python -m training.ner.train [--shared ../shared] [--output build/ner/model] [--ship]
       [--config training/ner/config.cfg] [spaCy config overrides, e.g. --training.max_steps 3000]
       NER stage on a trained base (training/ner/config_ner.cfg):
       python -m training.ner.train --config training/ner/config_ner.cfg --output build/ner/run8
           --base build/ner/model/model-best --silver build/ner/silver/silver.spacy --last --ship
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import spacy
from spacy.cli.train import train as spacy_train
from spacy.cli._util import parse_config_overrides

from extractors.gazetteer import write_places_file
from training.ner import prepare

REPO = Path(__file__).resolve().parents[2]
SHIP_DIR = REPO / "extractors" / "models" / "claimwatch_en"
MODEL_NAME = "claimwatch_en"
MODEL_VERSION = "0.1.0"


def ship(model_dir: Path, dest: Path = SHIP_DIR, with_silver: bool = False) -> Path:
    """Copy a trained pipeline into the package with claimwatch's name and version in its meta."""
    nlp = spacy.load(model_dir)
    nlp.meta["name"] = MODEL_NAME
    nlp.meta["lang"] = "en"
    nlp.meta["version"] = MODEL_VERSION
    nlp.meta["description"] = (
        "Compact English tagger, morphologizer, parser, NER (PER/ORG/LOC) and rule lemmatizer "
        "trained on UD English-EWT and UNER English-EWT (CC BY-SA 4.0)."
    )
    nlp.meta["sources"] = [
        {
            "name": "UD English-EWT",
            "url": "https://github.com/UniversalDependencies/UD_English-EWT",
        },
        {"name": "UNER English-EWT", "url": "https://github.com/UniversalNER/UNER_English-EWT"},
    ]
    if with_silver:
        nlp.meta["description"] += (
            " The NER also learned from ECB+ news (CC BY 3.0) labelled by all-MiniLM-L6-v2 "
            "(Apache 2.0) fine-tuned on UNER."
        )
        nlp.meta["sources"] += [
            {
                "name": "ECB+",
                "url": "http://www.newsreader-project.eu/results/data/the-ecb-corpus/",
            },
            {
                "name": "all-MiniLM-L6-v2",
                "url": "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2",
            },
        ]
    nlp.meta["license"] = "CC BY-SA 4.0"
    if dest.exists():
        shutil.rmtree(dest)
    nlp.to_disk(dest)
    return dest


def main(argv: list[str] | None = None) -> int:
    """Prepare the corpus, train with the spaCy config, and ship model-best when asked."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=prepare.DEFAULT_SHARED)
    parser.add_argument("--config", type=Path, default=Path(__file__).with_name("config.cfg"))
    parser.add_argument("--corpus", type=Path, default=REPO / "build" / "ner" / "corpus")
    parser.add_argument("--output", type=Path, default=REPO / "build" / "ner" / "model")
    parser.add_argument("--ship", action="store_true", help="copy model-best into extractors/")
    parser.add_argument("--base", type=Path, help="trained pipeline config_ner.cfg builds on")
    parser.add_argument(
        "--silver", type=Path, help="extra DocBin (training.ner.silver) to train on"
    )
    parser.add_argument(
        "--last", action="store_true", help="ship model-last (not chosen on dev) over model-best"
    )
    args, extra = parser.parse_known_args(argv)
    rc = prepare.main(["--shared", str(args.shared), "--out", str(args.corpus)])
    if rc:
        return rc
    overrides = parse_config_overrides(extra)
    overrides["paths.train"] = str(args.corpus / "train.spacy")
    if args.silver:
        # spaCy reads every .spacy file of a folder: the gold split and the silver file together
        both = args.corpus / "with_silver"
        both.mkdir(parents=True, exist_ok=True)
        shutil.copy(args.corpus / "train.spacy", both / "train.spacy")
        shutil.copy(args.silver, both / "silver.spacy")
        overrides["paths.train"] = str(both)
    overrides["paths.dev"] = str(args.corpus / "dev.spacy")
    if args.base:
        overrides["paths.base"] = str(args.base)
    start = time.perf_counter()
    spacy_train(args.config, args.output, use_gpu=-1, overrides=overrides)
    print(f"training wall time: {time.perf_counter() - start:.0f} s")
    if args.ship:
        chosen = args.output / ("model-last" if args.last else "model-best")
        print(f"shipped {chosen} to {ship(chosen, with_silver=args.silver is not None)}")
        print(f"wrote {write_places_file()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
