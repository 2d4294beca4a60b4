"""Tests of the data of 07_rnn: the Shakespeare text, the captioning scenes, and BLEU.

BLEU is checked against counts written out by hand below (nltk is not installed).
"""

import math
from pathlib import Path

import numpy as np
import pytest

from cs231n_utils.bleu import bleu_counts, corpus_bleu, ngrams, sentence_bleu
from cs231n_utils.data import DATASETS_ENV, DatasetError, load_embedded_fashion_mnist
from cs231n_utils.data.scenes import (
    CANVAS_SIZE,
    CLASS_WORDS,
    ITEM_SIZE,
    SMALL_SIZE,
    build_vocab,
    decode_captions,
    encode_captions,
    feature_statistics,
    make_scenes,
    scene_features,
)
from cs231n_utils.data.text import (
    SHAKESPEARE_FILENAME,
    CharVocab,
    MissingTextError,
    char_batches,
    load_shakespeare,
    split_text,
)

REPO = Path(__file__).resolve().parent.parent
SHAKESPEARE = REPO / "datasets" / SHAKESPEARE_FILENAME


# ----------------------------------------------------------------------------- text


@pytest.fixture(scope="module")
def text():
    return load_shakespeare()


def test_shakespeare_loads_and_is_small(text):
    assert SHAKESPEARE.stat().st_size <= 1_000_000
    assert len(text) > 900_000
    assert text.startswith("HAMLET, PRINCE OF DENMARK")
    assert "\r" not in text and "\t" not in text
    lower = text.lower()  # no boilerplate ("license" occurs once, in Hamlet's text)
    assert "gutenberg" not in lower and "copyright" not in lower and "etext" not in lower
    assert "To be, or not to be" in text
    assert load_shakespeare(max_chars=1000) == text[:1000]


@pytest.mark.parametrize("bad", [0, -5, 1.5, True, "10"])
def test_shakespeare_max_chars_checked(bad):
    with pytest.raises(ValueError, match="max_chars"):
        load_shakespeare(max_chars=bad)


def test_shakespeare_missing_names_file_and_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(DATASETS_ENV, str(tmp_path))
    with pytest.raises(MissingTextError, match="git checkout") as info:
        load_shakespeare()
    assert str(tmp_path / SHAKESPEARE_FILENAME) in str(info.value)
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, DatasetError)
    with pytest.raises(FileNotFoundError, match="nothere.txt"):
        load_shakespeare(tmp_path / "nothere.txt")


def test_shakespeare_truncated_is_detected(tmp_path, monkeypatch):
    (tmp_path / SHAKESPEARE_FILENAME).write_bytes(SHAKESPEARE.read_bytes()[:5000])
    monkeypatch.setenv(DATASETS_ENV, str(tmp_path))
    with pytest.raises(DatasetError, match="truncated or edited.*make_shakespeare_excerpt"):
        load_shakespeare()


def test_shakespeare_other_files(tmp_path):
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"First line\r\nSecond line\rThird\n")
    assert load_shakespeare(crlf) == "First line\nSecond line\nThird\n"
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(DatasetError, match="binary.txt.*not UTF-8"):
        load_shakespeare(binary)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(DatasetError, match="empty"):
        load_shakespeare(empty)


def test_vocab_round_trip(text):
    vocab = CharVocab(text)
    assert vocab.size == len(vocab) == len(set(text)) == 76
    assert list(vocab.chars) == sorted(set(text))
    sample = text[10_000:12_000]
    ids = vocab.encode(sample)
    assert ids.dtype == np.int64 and ids.shape == (len(sample),)
    assert ids.min() >= 0 and ids.max() < vocab.size
    assert vocab.decode(ids) == sample
    assert vocab.decode(ids.tolist()) == sample
    assert vocab.encode("").shape == (0,) and vocab.decode([]) == ""
    assert vocab.char_to_idx["a"] == vocab.chars.index("a") and vocab.idx_to_char[0] == "\n"


def test_vocab_unknown_characters_named():
    vocab = CharVocab("hello world")
    with pytest.raises(ValueError, match=r"2 character\(s\) not in the vocabulary: 'Z', 'é'"):
        vocab.encode("hello Zé")
    with pytest.raises(ValueError, match="0 .. 7"):
        vocab.decode([0, 8])
    with pytest.raises(ValueError, match="non-empty str"):
        CharVocab("")


def test_split_text():
    train, val = split_text("abcdefghij" * 10, val_fraction=0.2)
    assert train + val == "abcdefghij" * 10 and len(val) == 20
    for bad in (0, 1, -0.1, 1.5, "0.1"):
        with pytest.raises(ValueError, match="val_fraction"):
            split_text("abcdef", val_fraction=bad)


def test_char_batches_shapes_and_next_character():
    ids = np.arange(1000, dtype=np.int64)  # every position holds its own index
    batches = list(char_batches(ids, batch_size=8, seq_length=10, rng=np.random.default_rng(0)))
    assert len(batches) == 12  # 99 or 98 windows of 10 -> 12 full batches of 8
    seen = []
    for x, y in batches:
        assert x.shape == y.shape == (8, 10) and x.dtype == y.dtype == np.int64
        np.testing.assert_array_equal(y, x + 1)  # y is the next character
        np.testing.assert_array_equal(np.diff(x, axis=1), 1)  # contiguous text
        seen.append(x[:, 0])
    starts = np.concatenate(seen)
    assert len(set(starts.tolist())) == len(starts)  # no window twice
    assert len(set((starts % 10).tolist())) == 1  # one offset per epoch


def test_char_batches_deterministic_and_checked():
    ids = np.arange(500) % 7
    a = list(char_batches(ids, 4, 16, rng=3))
    b = list(char_batches(ids, 4, 16, rng=3))
    assert len(a) == len(b) == 7
    for (xa, ya), (xb, yb) in zip(a, b, strict=True):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    c = list(char_batches(ids, 4, 16, rng=4))
    assert any((xa != xc).any() for (xa, _), (xc, _) in zip(a, c, strict=True))
    with pytest.raises(ValueError, match="too few for one batch"):
        char_batches(np.arange(50), batch_size=4, seq_length=16, rng=0)
    with pytest.raises(ValueError, match="batch_size"):
        char_batches(ids, batch_size=0, seq_length=16, rng=0)
    with pytest.raises(ValueError, match="1-D integer"):
        char_batches(np.zeros((5, 5)), batch_size=1, seq_length=2, rng=0)


# ----------------------------------------------------------------------------- scenes


@pytest.fixture(scope="module")
def fashion():
    return load_embedded_fashion_mnist()


@pytest.fixture(scope="module")
def scenes():
    return make_scenes(200, seed=7)


def test_scenes_shapes_and_determinism(scenes):
    images = scenes["images"]
    assert images.shape == (200, 1, CANVAS_SIZE, CANVAS_SIZE) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1 and len(scenes["captions"]) == 200
    again = make_scenes(200, seed=7)
    np.testing.assert_array_equal(again["images"], images)
    assert again["captions"] == scenes["captions"]
    prefix = make_scenes(50, seed=7)
    np.testing.assert_array_equal(prefix["images"], images[:50])
    other = make_scenes(200, seed=8)
    assert other["captions"] != scenes["captions"]
    assert set(scenes["relations"]) == {"left of", "above"}
    assert 0 < scenes["small"].mean() < 0.5
    assert (scenes["classes"][:, 0] != scenes["classes"][:, 1]).all()


def _parse(caption):
    """(first class word, first small, relation, second class word, second small)."""
    words = caption.split()
    first_small = words[1] == "small"
    first = words[2 if first_small else 1]
    rest = words[3 if first_small else 2:]
    relation = "left of" if rest[0] == "left" else "above"
    rest = rest[2 if relation == "left of" else 1:]
    assert rest[0] == "a"
    second_small = rest[1] == "small"
    return first, first_small, relation, rest[-1], second_small


def test_captions_match_what_is_drawn(scenes, fashion):
    Xtr = fashion[0]
    for i, caption in enumerate(scenes["captions"]):
        first, first_small, relation, second, second_small = _parse(caption)
        assert relation == scenes["relations"][i]
        assert (first, second) == tuple(CLASS_WORDS[c] for c in scenes["classes"][i])
        assert (first_small, second_small) == tuple(scenes["small"][i])
        (r0, c0), (r1, c1) = scenes["corners"][i]
        axis = 1 if relation == "left of" else 0  # the first item is left of / above
        assert (c0, r0)[1 - axis] < (c1, r1)[1 - axis]
        for k in range(2):
            item = Xtr[scenes["source_index"][i, k]].astype(np.float32) / 255
            if scenes["small"][i, k]:
                item = item.reshape(SMALL_SIZE, 2, SMALL_SIZE, 2).mean(axis=(1, 3))
            assert item.shape[0] == (SMALL_SIZE if scenes["small"][i, k] else ITEM_SIZE)
            r, c = scenes["corners"][i, k]
            crop = scenes["images"][i, 0, r:r + len(item), c:c + len(item)]
            # drawn with the brighter pixel winning: the crop is the item where it is not
            # covered by the other one
            assert (crop >= item - 1e-6).all()
            assert np.mean(np.abs(crop - item) < 1e-6) > 0.8
        label = fashion[1][scenes["source_index"][i]]
        np.testing.assert_array_equal(label, scenes["classes"][i])


def test_first_item_is_left_or_on_top(scenes):
    """Full-size items sit in their half of the canvas, the first-named one left or on top."""
    for i in np.flatnonzero(~scenes["small"].any(axis=1)):
        axis = 1 if scenes["relations"][i] == "left of" else 0  # column or row
        first, second = scenes["corners"][i, :, axis]
        assert first <= 2 and second >= CANVAS_SIZE - ITEM_SIZE - 2
        other = scenes["corners"][i, :, 1 - axis]
        assert (np.abs(other - (CANVAS_SIZE - ITEM_SIZE) // 2) <= 3).all()


def test_held_out_scenes_use_other_source_images(fashion):
    Xtr, ytr, Xte, yte = fashion
    train = make_scenes(300, seed=1, split="train")
    val = make_scenes(300, seed=1, split="val")
    test = make_scenes(300, seed=1, split="test")
    assert (train["source"], val["source"], test["source"]) == ("train", "test", "test")
    assert train["captions"] != test["captions"]
    val_ids, test_ids = set(val["source_index"].ravel()), set(test["source_index"].ravel())
    assert not val_ids & test_ids
    # the held-out items are test images: check the pixels of a few full-size ones
    for scenes_, X in ((test, Xte), (train, Xtr)):
        for i in np.flatnonzero(~scenes_["small"][:, 0])[:20]:
            r, c = scenes_["corners"][i, 0]
            crop = scenes_["images"][i, 0, r:r + ITEM_SIZE, c:c + ITEM_SIZE]
            item = X[scenes_["source_index"][i, 0]] / np.float32(255)
            assert np.mean(np.abs(crop - item) < 1e-6) > 0.8
    # no test item is a training image
    train_pixels = {Xtr[j].tobytes() for j in np.unique(train["source_index"])}
    assert not {Xte[j].tobytes() for j in test_ids} & train_pixels


def test_scene_arguments_checked():
    with pytest.raises(ValueError, match="split must be one of 'train', 'val', 'test'"):
        make_scenes(3, 0, split="validation")
    with pytest.raises(ValueError, match="n must be"):
        make_scenes(-1, 0)
    with pytest.raises(ValueError, match="p_small"):
        make_scenes(3, 0, p_small=2)
    assert make_scenes(0, 0)["images"].shape == (0, 1, CANVAS_SIZE, CANVAS_SIZE)


# ----------------------------------------------------------------------------- words


def test_vocab_and_encoding_round_trip(scenes):
    vocab = build_vocab(scenes["captions"])
    assert [vocab[t] for t in ("<NULL>", "<START>", "<END>")] == [0, 1, 2]
    assert "<UNK>" not in vocab and set(CLASS_WORDS) <= set(vocab)
    assert len(vocab) == 3 + 15
    encoded = encode_captions(scenes["captions"], vocab, max_length=8)
    assert encoded.shape == (200, 10) and encoded.dtype == np.int64
    assert (encoded[:, 0] == 1).all()
    lengths = np.array([len(c.split()) for c in scenes["captions"]])
    np.testing.assert_array_equal(encoded[np.arange(200), lengths + 1], 2)
    assert (encoded[np.arange(10)[None, :] > lengths[:, None] + 1] == 0).all()
    assert decode_captions(encoded, vocab) == scenes["captions"]
    idx_to_word = {i: w for w, i in vocab.items()}
    assert decode_captions(encoded[3], idx_to_word) == scenes["captions"][3]
    assert encode_captions(["a bag above a coat"], vocab, 5).tolist() == [
        [1, vocab["a"], vocab["bag"], vocab["above"], vocab["a"], vocab["coat"], 2]]


def test_encoding_errors(scenes):
    vocab = build_vocab(["a bag left of a coat"])
    with pytest.raises(ValueError, match=r"caption 1 .* 7 words, more than max_length=6"):
        encode_captions(["a bag left of a coat", "a bag left of a small coat"], vocab, 6)
    with pytest.raises(ValueError, match="the word 'hat', which is not in word_to_idx"):
        encode_captions(["a hat left of a coat"], vocab, 8)
    with_unk = build_vocab(["a bag left of a coat"], add_unk=True)
    row = encode_captions(["a hat left of a coat"], with_unk, 8)[0]
    assert row[2] == with_unk["<UNK>"] == 3
    with pytest.raises(ValueError, match="special token"):
        encode_captions(["a <END> bag"], vocab, 8)
    with pytest.raises(ValueError, match="max_length"):
        encode_captions(["a bag"], vocab, 0)
    with pytest.raises(ValueError, match="lacks <START>"):
        encode_captions(["a bag"], {"<NULL>": 0, "a": 1}, 3)
    with pytest.raises(ValueError, match="not a word index"):
        decode_captions(np.array([[1, 99]]), vocab)


# ----------------------------------------------------------------------------- features


def test_scene_features(scenes):
    feats = scene_features(scenes["images"][:40])
    assert feats.shape == (40, 64 * 9) and feats.dtype == np.float32
    np.testing.assert_array_equal(feats, scene_features(scenes["images"][:40]))
    np.testing.assert_allclose(scene_features(scenes["images"][5:6]), feats[5:6], atol=1e-4)
    assert abs(float(feats.mean())) < 0.5 and 0.3 < float(feats.std()) < 2
    raw = scene_features(scenes["images"][:40], grid=2, normalise=False)
    assert raw.shape == (40, 256) and (raw >= 0).all()  # averages of ReLU outputs
    mean, std = feature_statistics(grid=2)
    np.testing.assert_allclose(scene_features(scenes["images"][:40], grid=2),
                               (raw - mean) / std, rtol=1e-5, atol=1e-5)
    # the grid keeps positions: a scene and its mirror image get different features
    mirrored = scenes["images"][:40, :, :, ::-1].copy()
    assert np.abs(scene_features(mirrored) - feats).mean() > 0.1


def test_scene_features_errors(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="values in \\[0, 1\\]"):
        scene_features(np.full((2, 1, 56, 56), 255.0))
    with pytest.raises(ValueError, match=r"shape \(N, 1, H, W\)"):
        scene_features(np.zeros((2, 56, 56)))
    with pytest.raises(ValueError, match="grid"):
        scene_features(np.zeros((2, 1, 56, 56)), grid=0)
    monkeypatch.setenv(DATASETS_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="make pretrain"):
        scene_features(np.zeros((2, 1, 56, 56), dtype=np.float32))


# ----------------------------------------------------------------------------- BLEU

CAT = "the cat sat on the mat"
REF = "the cat is on the mat"


def test_bleu_perfect_match():
    assert corpus_bleu(["a bag left of a coat"], ["a bag left of a coat"]) == 1.0
    assert sentence_bleu(["a shoe", "a bag left of a coat"], "a bag left of a coat") == 1.0
    assert corpus_bleu([[["a", "bag", "above", "a", "coat"]]], [["a", "bag", "above", "a",
                                                                  "coat"]]) == 1.0


def test_bleu_hand_computed_counts():
    # candidate: the cat sat on the mat      reference: the cat is on the mat
    # 1-grams: the x2 (ref has 2), cat, sat (no), on, mat          -> 5 of 6
    # 2-grams: the cat, cat sat (no), sat on (no), on the, the mat -> 3 of 5
    # 3-grams: the cat sat, cat sat on, sat on the (none), on the mat -> 1 of 4
    # 4-grams: the cat sat on, cat sat on the, sat on the mat      -> 0 of 3
    counts = bleu_counts([REF], [CAT])
    assert counts == {"matches": [5, 3, 1, 0], "totals": [6, 5, 4, 3],
                      "candidate_length": 6, "reference_length": 6}
    # c = r = 6: brevity penalty exp(1 - 6/6) = 1
    assert corpus_bleu([REF], [CAT]) == 0.0  # no 4-gram matches
    assert corpus_bleu([REF], [CAT], max_n=3) == pytest.approx((5 / 6 * 3 / 5 * 1 / 4) ** (1 / 3))
    assert corpus_bleu([REF], [CAT], max_n=3) == pytest.approx(0.5)
    assert corpus_bleu([REF], [CAT], max_n=2) == pytest.approx(math.sqrt(0.5))
    # add-one smoothing for n >= 2: 5/6, 4/6, 2/5, 1/4 -> product 1/18
    assert corpus_bleu([REF], [CAT], smooth=True) == pytest.approx(18 ** -0.25)
    assert sentence_bleu(REF, CAT, smooth=True) == pytest.approx(18 ** -0.25)


def test_bleu_clipping():
    # "the" appears 7 times in the candidate but at most twice in the reference
    counts = bleu_counts([REF], ["the the the the the the the"], max_n=1)
    assert counts["matches"] == [2] and counts["totals"] == [7]
    assert corpus_bleu([REF], ["the the the the the the the"], max_n=1) == pytest.approx(2 / 7)
    # several references: a word counts up to its largest count in any one reference
    counts = bleu_counts([["a bag", "a a coat"]], ["a a bag"], max_n=1)
    assert counts["matches"] == [3] and counts["totals"] == [3]


def test_bleu_brevity_penalty():
    # "the cat" against a 6-word reference: p1 = 2/2, p2 = 1/1, BP = exp(1 - 6/2)
    assert corpus_bleu([REF], ["the cat"], max_n=2) == pytest.approx(math.exp(-2))
    # closest reference length: 5 words against references of 6 and 8 words -> r = 6
    counts = bleu_counts([["a b c d e f", "a b c d e f g h"]], ["a b c d e"], max_n=1)
    assert counts["reference_length"] == 6
    assert corpus_bleu([["a b c d e f", "a b c d e f g h"]], ["a b c d e"],
                       max_n=1) == pytest.approx(math.exp(1 - 6 / 5))
    # a tie (4 and 6 words around 5) takes the shorter: r = 4 < c, no penalty
    counts = bleu_counts([["a b c d", "a b c d e f"]], ["a b c d e"], max_n=1)
    assert counts["reference_length"] == 4
    # longer than the reference: no penalty (p1 = 2/3 after clipping the second "b")
    assert corpus_bleu(["a b"], ["a b b"], max_n=1) == pytest.approx(2 / 3)


def test_bleu_is_summed_over_the_corpus():
    # two candidates: sums 5+2 of 6+2 unigrams, 3+1 of 5+1 bigrams, c = 6+2, r = 6+6
    refs, cands = [REF, REF], [CAT, "the cat"]
    counts = bleu_counts(refs, cands, max_n=2)
    assert counts == {"matches": [7, 4], "totals": [8, 6], "candidate_length": 8,
                      "reference_length": 12}
    expected = math.exp(1 - 12 / 8) * math.sqrt(7 / 8 * 4 / 6)
    assert corpus_bleu(refs, cands, max_n=2) == pytest.approx(expected)
    mean_of_sentences = np.mean([sentence_bleu(REF, c, max_n=2) for c in cands])
    assert not math.isclose(expected, mean_of_sentences)


def test_bleu_errors_and_edge_cases():
    assert ngrams(["a", "b", "a", "b"], 2) == {("a", "b"): 2, ("b", "a"): 1}
    assert corpus_bleu(["a b"], [""]) == 0.0
    with pytest.raises(ValueError, match="2 entries but candidates has 1"):
        corpus_bleu(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="empty"):
        corpus_bleu([], [])
    with pytest.raises(ValueError, match="max_n must be a positive int"):
        corpus_bleu(["a"], ["a"], max_n=0)
    with pytest.raises(ValueError, match="references of candidate 0"):
        corpus_bleu([[]], ["a"])
    with pytest.raises(ValueError, match="candidate 0 must be a str"):
        corpus_bleu(["a"], [3])
    with pytest.raises(ValueError, match="sentence_bleu"):
        corpus_bleu("a b", "a b")
