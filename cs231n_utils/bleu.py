"""BLEU: how many of a generated sentence's n-grams appear in reference sentences.

BLEU (Papineni, Roukos, Ward and Zhu, "BLEU: a Method for Automatic Evaluation of Machine
Translation", ACL 2002) scores candidate sentences (here: generated captions) against one
or more reference sentences each. For every order ``n`` = 1 .. ``max_n``:

- every n-gram of a candidate counts as a match at most as often as it occurs in the one
  reference of that candidate where it occurs most often ("clipping": "a a a a" against
  "a bag" matches one "a", not four);
- the *modified precision* ``p_n`` is the number of clipped matches summed over the whole
  corpus divided by the number of candidate n-grams summed over the corpus (corpus BLEU
  sums first and divides once; it is not the mean of per-sentence scores).

The score is the geometric mean of ``p_1 .. p_max_n`` (equal weights) times the *brevity
penalty* ``BP = 1`` if ``c > r`` else ``exp(1 - r / c)``, where ``c`` is the total length of
the candidates and ``r`` the total of, for each candidate, the length of its reference
closest in length (the shorter one on a tie)::

    BLEU = BP * exp(sum_n log(p_n) / max_n)

Without smoothing, BLEU is 0 as soon as one ``p_n`` is 0 (for example a short sentence
with no matching 4-gram). With ``smooth=True``, one is added to the numerator and the
denominator of ``p_n`` for ``n >= 2`` (the "add-one" smoothing of Lin and Och, COLING
2004): ``p_n = (matches_n + 1) / (total_n + 1)``; ``p_1`` is left as it is. Smoothing
matters for single sentences; on a corpus of many captions it changes little.

Sentences are strings, split on white space, or sequences of tokens. Words are compared
exactly (no lower-casing, no tokenisation of punctuation).

Functions: :func:`corpus_bleu`, :func:`sentence_bleu`, and :func:`bleu_counts` (the
counts behind the score, to check a score by hand).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

__all__ = ["bleu_counts", "corpus_bleu", "ngrams", "sentence_bleu"]

Sentence = str | Sequence[str]


def ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    """The n-grams of a token sequence with their counts.

    Parameters
    ----------
    tokens : sequence of str
    n : int
        The order, >= 1.

    Returns
    -------
    collections.Counter
        From each n-gram (a tuple of ``n`` tokens) to how often it occurs; empty when there
        are fewer than ``n`` tokens.
    """
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def _tokens(sentence: object, what: str) -> list[str]:
    """A sentence as a list of tokens: a str is split on white space."""
    if isinstance(sentence, str):
        return sentence.split()
    if isinstance(sentence, Sequence) and all(isinstance(t, str) for t in sentence):
        return list(sentence)
    raise ValueError(f"{what} must be a str or a sequence of str tokens, got "
                     f"{type(sentence).__name__}: {sentence!r:.60}.")


def _references(refs: object, i: int) -> list[list[str]]:
    """The references of candidate ``i``: one str, or a sequence of sentences."""
    if isinstance(refs, str):
        return [refs.split()]
    if not isinstance(refs, Sequence) or len(refs) == 0:
        raise ValueError(
            f"the references of candidate {i} must be a str or a non-empty list of "
            f"sentences (each a str or a list of tokens), got {refs!r:.60}.")
    return [_tokens(r, f"reference {j} of candidate {i}") for j, r in enumerate(refs)]


def _check_max_n(max_n: object) -> int:
    if isinstance(max_n, bool) or not isinstance(max_n, int) or max_n < 1:
        raise ValueError(f"max_n must be a positive int (4 for the usual BLEU), got {max_n!r}.")
    return max_n


def bleu_counts(list_of_references: Sequence[object], candidates: Sequence[Sentence],
                max_n: int = 4) -> dict[str, list[int] | int]:
    """The counts that corpus BLEU is computed from.

    Parameters
    ----------
    list_of_references : sequence
        One entry per candidate: a str (one reference) or a list of references, each a
        str or a list of tokens. A list of tokens must itself be wrapped in a list
        (``[["a", "bag"]]``): a bare list of str is read as several references.
    candidates : sequence of str or of token lists
    max_n : int, default 4

    Returns
    -------
    dict
        ``"matches"``: for n = 1 .. max_n, the clipped n-gram matches summed over the
        corpus; ``"totals"``: the candidates' n-grams summed over the corpus;
        ``"candidate_length"`` ``c`` and ``"reference_length"`` ``r`` (closest reference
        length per candidate, shorter on a tie), summed.

    Raises
    ------
    ValueError
        If the two sequences differ in length or are empty, a candidate has no
        reference, or an entry is not a str or a list of str.
    """
    max_n = _check_max_n(max_n)
    for name, value in (("list_of_references", list_of_references), ("candidates", candidates)):
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ValueError(f"{name} must be a list (one entry per candidate), got "
                             f"{type(value).__name__}; for one sentence use sentence_bleu.")
    if len(list_of_references) != len(candidates):
        raise ValueError(f"list_of_references has {len(list_of_references)} entries but "
                         f"candidates has {len(candidates)}: give the references of every "
                         f"candidate, in the same order.")
    if len(candidates) == 0:
        raise ValueError("candidates is empty: BLEU needs at least one candidate.")
    matches, totals = [0] * max_n, [0] * max_n
    c = r = 0
    for i, (refs, cand) in enumerate(zip(list_of_references, candidates, strict=True)):
        hyp = _tokens(cand, f"candidate {i}")
        references = _references(refs, i)
        c += len(hyp)
        r += min((len(ref) for ref in references), key=lambda n: (abs(n - len(hyp)), n))
        for n in range(1, max_n + 1):
            counts = ngrams(hyp, n)
            most = Counter()
            for ref in references:
                most |= ngrams(ref, n)  # the largest count of each n-gram over the refs
            matches[n - 1] += sum(min(k, most[g]) for g, k in counts.items())
            totals[n - 1] += sum(counts.values())
    return {"matches": matches, "totals": totals, "candidate_length": c,
            "reference_length": r}


def _score(counts: dict, smooth: bool) -> float:
    c, r = counts["candidate_length"], counts["reference_length"]
    if c == 0:
        return 0.0
    log_sum = 0.0
    max_n = len(counts["matches"])
    for n, (m, t) in enumerate(zip(counts["matches"], counts["totals"], strict=True), 1):
        if smooth and n > 1:
            m, t = m + 1, t + 1
        if m == 0 or t == 0:
            return 0.0
        log_sum += math.log(m / t)
    brevity = 1.0 if c > r else math.exp(1.0 - r / c)
    return brevity * math.exp(log_sum / max_n)


def corpus_bleu(list_of_references: Sequence[object], candidates: Sequence[Sentence],
                max_n: int = 4, smooth: bool = False) -> float:
    """Corpus-level BLEU of some candidates against their references.

    Parameters
    ----------
    list_of_references : sequence
        One entry per candidate: a str (one reference) or a list of references (each a
        str or a list of tokens); see :func:`bleu_counts`.
    candidates : sequence of str or of token lists
        The sentences to score (e.g. sampled captions).
    max_n : int, default 4
        The longest n-grams used (BLEU-4 by default; 1 gives unigram precision with the
        brevity penalty).
    smooth : bool, default False
        Add one to the numerator and denominator of ``p_n`` for ``n >= 2`` (see the
        module docstring).

    Returns
    -------
    float
        In [0, 1]; 1 when every candidate equals one of its references. 0 when the
        candidates are all empty, or (without smoothing) some order has no match.

    Raises
    ------
    ValueError
        As :func:`bleu_counts`.

    Examples
    --------
    >>> corpus_bleu(["a bag left of a coat"], ["a bag left of a coat"])
    1.0
    >>> round(corpus_bleu([["a bag above a coat", "a small bag above a coat"]],
    ...                   ["a bag above a shirt"], max_n=2), 4)
    0.7746
    """
    return _score(bleu_counts(list_of_references, candidates, max_n), smooth)


def sentence_bleu(references: object, candidate: Sentence, max_n: int = 4,
                  smooth: bool = False) -> float:
    """BLEU of a single candidate: :func:`corpus_bleu` of a corpus of one.

    Parameters
    ----------
    references : str or list
        One reference (a str) or a list of references (each a str or a list of tokens).
    candidate : str or sequence of str
    max_n : int, default 4
    smooth : bool, default False
        Usually wanted here: a short sentence often has no matching 4-gram.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        As :func:`bleu_counts`.
    """
    return corpus_bleu([references], [candidate], max_n=max_n, smooth=smooth)
