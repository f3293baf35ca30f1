"""The main job's combined row: a logistic regression on the members'
held-out log-odds (sklearn_rnn._compare._models.Stacker)."""

import numpy as np

from sklearn_rnn._compare._models import Stacker, _best_weight


def _members(n, seed):
    """A good, modestly confident member and a confident member that is
    barely better than chance (a weak RNN row)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n)
    good = 1 / (1 + np.exp(-1.0 - rng.normal(0, 1, n)))  # p(true class): right ~80%
    p_good = np.where(truth == 1, good, 1 - good)
    weak = rng.random(n) < 0.55  # right 55% of the time, always 99% sure
    p_weak = np.where(weak == (truth == 1), 0.99, 0.01)
    probas = [np.column_stack([1 - p, p]) for p in (p_good, p_weak)]
    return probas, truth


def test_stacking_does_not_let_an_overconfident_weak_member_pull_it_down():
    classes = np.array([0, 1])
    held, truth = _members(400, 0)
    stacker = Stacker(held, truth, classes)
    test, test_truth = _members(5000, 1)
    good = np.mean(test[0].argmax(1) == test_truth)
    weak = np.mean(test[1].argmax(1) == test_truth)
    stacked = np.mean(stacker.predict_proba(test).argmax(1) == test_truth)
    mean = np.mean((test[0] + test[1]).argmax(1) == test_truth)
    assert weak < 0.6 < good
    assert mean < good - 0.05  # the plain average is pulled down by the weak member
    assert stacked >= good - 0.005  # the stack is not
    coef = stacker.meta_.coef_[0]
    assert abs(coef[1]) < 0.25 * abs(coef[0])
    assert "x good" in stacker.describe(["good", "weak"])


def test_stacking_keeps_the_classes_order_and_sums_to_one():
    rng = np.random.default_rng(2)
    truth = np.array(["b", "a", "c"] * 50)
    idx = np.searchsorted(["a", "b", "c"], truth)
    probas = []
    for noise in (0.5, 2.0):
        logits = np.eye(3)[idx] * 2 + rng.normal(0, noise, (150, 3))
        p = np.exp(logits)
        probas.append(p / p.sum(1, keepdims=True))
    stacker = Stacker(probas, truth, np.array(["a", "b", "c"]))
    out = stacker.predict_proba(probas)
    np.testing.assert_allclose(out.sum(1), 1.0)
    assert np.mean(np.array(["a", "b", "c"])[out.argmax(1)] == truth) > 0.9


def test_the_weight_grid_contains_each_member_alone():
    held, truth = _members(400, 3)
    w, scores = _best_weight(held, truth, np.array([0, 1]))
    assert 0 <= w <= 1 and scores["blend"] >= max(scores["members"])


def test_a_member_alone_replaces_a_stack_that_did_worse_on_held_out_documents():
    from sklearn_rnn._compare._models import stack_held_out

    outcomes = set()
    for seed in range(6):
        held, truth = _members(300, seed)
        stacker, scores = stack_held_out(held, truth, np.array([0, 1]), seed)
        fell_back = scores["stack"] < max(scores["members"])
        assert (stacker.alone_ is not None) == fell_back
        outcomes.add(fell_back)
        test, _ = _members(50, 100 + seed)
        if fell_back:
            assert stacker.alone_ == int(np.argmax(scores["members"]))
            np.testing.assert_array_equal(stacker.predict_proba(test), test[stacker.alone_])
            assert "alone" in stacker.describe(["good", "weak"])
        else:
            assert not np.array_equal(stacker.predict_proba(test), test[0])
    assert outcomes == {True, False}  # both paths taken on these data
