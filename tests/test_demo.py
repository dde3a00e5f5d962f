"""`w2vfast demo`: the README's first command trains on the built-in corpus and learns it."""
import re

from click.testing import CliRunner

from w2vfast import load
from w2vfast.cli import main


def test_demo_learns_the_planted_analogies(tmp_path):
    out = tmp_path / "demo.bin"
    result = CliRunner().invoke(main, ["demo", "-tokens", "1000000", "-iter", "5", "-size", "50",
                                       "-threads", "2", "-output", str(out), "-binary", "1", "-debug", "0"])
    assert result.exit_code == 0, result.output
    total = re.search(r"total\s+([\d.]+) %", result.output)
    assert total, result.output
    assert float(total.group(1)) >= 90.0, result.output
    assert "france : paris :: germany : berlin" in result.output
    # the corpus's size in tokens, its vocabulary as distinct words, and the planted topic words
    # named as such beside the real neighbours
    assert re.search(r"on 1,000,000 tokens, [\d,]+ distinct words", result.output), result.output
    paris = next(line for line in result.output.splitlines() if line.strip().startswith("paris "))
    real, topics = paris.split("(topic words:")
    assert len(real.split(",")) == 4 and len(topics.rstrip(")").split()) == 4, paris
    vectors = load(str(out))
    assert vectors.vectors.shape[1] == 50
    assert "paris" in vectors


def test_demo_rejects_bad_values(tmp_path):
    result = CliRunner().invoke(main, ["demo", "-size", "0", "-output", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "-size" in result.output
    assert not (tmp_path / "x").exists()
