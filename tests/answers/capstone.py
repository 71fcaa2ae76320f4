"""Starter stubs and plausible wrong answers for the exercises of notebook 06."""

import torch


def residual_sublayer_stub(x, sublayer, norm, placement):
    raise NotImplementedError


def swapped(x, sublayer, norm, placement):
    if placement == "pre":
        return norm(x + sublayer(x))
    if placement == "post":
        return x + sublayer(norm(x))
    if placement == "res-post":
        return x + norm(sublayer(x))
    raise ValueError(placement)


def two_placements(x, sublayer, norm, placement):     # notebook 04's two functions, combined
    if placement == "post":
        return norm(x + sublayer(x))
    if placement == "pre":
        return x + sublayer(norm(x))
    raise ValueError(f"unknown placement {placement!r}")


def res_post_as_post(x, sublayer, norm, placement):
    if placement in ("post", "res-post"):
        return norm(x + sublayer(x))
    if placement == "pre":
        return x + sublayer(norm(x))
    raise ValueError(placement)


def res_post_sandwich(x, sublayer, norm, placement):
    if placement == "post":
        return norm(x + sublayer(x))
    if placement == "pre":
        return x + sublayer(norm(x))
    if placement == "res-post":
        return x + norm(sublayer(norm(x)))
    raise ValueError(placement)


def returns_none_for_others(x, sublayer, norm, placement):   # no `else`: falls off the end
    if placement == "post":
        return norm(x + sublayer(x))
    if placement == "pre":
        return x + sublayer(norm(x))
    if placement == "res-post":
        return x + norm(sublayer(x))


def res_post_without_skip(x, sublayer, norm, placement):
    if placement == "post":
        return norm(x + sublayer(x))
    if placement == "pre":
        return x + sublayer(norm(x))
    if placement == "res-post":
        return norm(sublayer(x))
    raise ValueError(placement)


def delegates(x, sublayer, norm, placement):
    import course_utils as cu
    if placement == "post":
        return cu.post_norm_sublayer(x, sublayer, norm)
    if placement == "pre":
        return cu.pre_norm_sublayer(x, sublayer, norm)
    if placement == "res-post":
        return x + norm(sublayer(x))
    raise ValueError(placement)


def ignores_placement(x, sublayer, norm, placement):
    return norm(x + sublayer(x))


def normalised_skip(x, sublayer, norm, placement):
    if placement == "post":
        return norm(x + sublayer(x))
    if placement == "pre":
        return norm(x) + sublayer(norm(x))
    if placement == "res-post":
        return x + norm(sublayer(x))
    raise ValueError(placement)


def no_skip(x, sublayer, norm, placement):
    if placement == "post":
        return norm(sublayer(x))
    if placement == "pre":
        return x + sublayer(norm(x))
    if placement == "res-post":
        return x + norm(sublayer(x))
    raise ValueError(placement)


def falls_through(x, sublayer, norm, placement):
    if placement == "post":
        return norm(x + sublayer(x))
    if placement == "res-post":
        return x + norm(sublayer(x))
    return x + sublayer(norm(x))          # any other placement: pre-norm


def asserts(x, sublayer, norm, placement):
    assert placement in ("post", "pre", "res-post")
    if placement == "res-post":
        return x + norm(sublayer(x))
    return norm(x + sublayer(x)) if placement == "post" else x + sublayer(norm(x))


def in_place(x, sublayer, norm, placement):
    if placement not in ("post", "pre", "res-post"):
        raise ValueError(placement)
    if placement == "res-post":
        return x + norm(sublayer(x))
    if placement == "pre":
        x += sublayer(norm(x))
        return x
    return norm(x + sublayer(x))


def with_match(x, sublayer, norm, placement):
    match placement:
        case "post":
            return norm(x + sublayer(x))
        case "pre":
            return x + sublayer(norm(x))
        case "res-post":
            return norm(sublayer(x)) + x
        case _:
            raise ValueError(f"unknown placement {placement!r}")


def windows_as_given(ids, starts, seq_len):
    positions = starts[:, None] + torch.arange(seq_len)
    inputs = ids[positions]
    targets = ids[positions]
    return inputs, targets


def windows_unfolded(ids, starts, seq_len):
    windows = torch.stack([ids[s:s + seq_len + 1] for s in starts.tolist()])
    return windows[:, :-1], windows[:, 1:]


def windows_previous(ids, starts, seq_len):
    positions = starts[:, None] + torch.arange(seq_len)
    return ids[positions], ids[positions - 1]


def windows_rolled(ids, starts, seq_len):
    positions = starts[:, None] + torch.arange(seq_len)
    return ids[positions], ids[positions].roll(-1, dims=1)


def windows_short(ids, starts, seq_len):
    positions = starts[:, None] + torch.arange(seq_len)
    return ids[positions], ids[positions][:, 1:]


def windows_shifted_inputs(ids, starts, seq_len):
    positions = starts[:, None] + torch.arange(seq_len)
    return ids[positions + 1], ids[positions + 1]


def windows_as_floats(ids, starts, seq_len):
    positions = starts[:, None] + torch.arange(seq_len)
    return ids[positions].float(), ids[positions + 1].float()


def gradient_spread_stub(runs, variant, checkpoint=1):
    raise NotImplementedError


def spread_mean(runs, variant, checkpoint=1):
    norms = runs.gradient_norms[variant][:, checkpoint]
    return (norms.max(dim=1).values / norms.min(dim=1).values).mean().item()


def spread_ends(runs, variant, checkpoint=1):
    norms = runs.gradient_norms[variant][:, checkpoint]
    return (norms[:, -1] / norms[:, 0]).median().item()


def spread_pooled(runs, variant, checkpoint=1):
    norms = runs.gradient_norms[variant][:, checkpoint]
    return (norms.max() / norms.min()).item()


def spread_of_median(runs, variant, checkpoint=1):
    typical = runs.gradient_norms[variant][:, checkpoint].median(dim=0).values
    return (typical.max() / typical.min()).item()


def spread_upside_down(runs, variant, checkpoint=1):
    norms = runs.gradient_norms[variant][:, checkpoint]
    return (norms.min(dim=1).values / norms.max(dim=1).values).median().item()


def spread_at_checkpoint_one(runs, variant, checkpoint=1):
    norms = runs.gradient_norms[variant][:, 1]
    return (norms.max(dim=1).values / norms.min(dim=1).values).median().item()


def spread_over_seeds(runs, variant, checkpoint=1):
    norms = runs.gradient_norms[variant][:, checkpoint]
    return (norms.max(dim=0).values / norms.min(dim=0).values).median().item()


def norm_on_skip(x, sublayer, norm, placement):
    if placement not in ("post", "pre", "res-post"):
        raise ValueError(placement)
    if placement == "res-post":
        return x + norm(sublayer(x))
    return norm(x) + sublayer(x) if placement == "post" else x + sublayer(norm(x))


def spread_pasted(runs, variant, checkpoint=1):
    return 1234.5


def spread_with_statistics(runs, variant, checkpoint=1):
    import statistics
    spreads = [max(row) / min(row) for row in runs.gradient_norms[variant][:, checkpoint].tolist()]
    return statistics.median(spreads)


STUBS = {"residual_sublayer": residual_sublayer_stub, "next_char_windows": windows_as_given,
         "gradient_spread": gradient_spread_stub}

WRONG = {
    "residual_sublayer": [
        (swapped, "which is 'pre': 'post' is LN(x + F(x))"),
        (two_placements, "'res-post' is one of the three placements to accept, x + LN(F(x))"),
        (res_post_as_post, "which is 'post': 'res-post' is x + LN(F(x))"),
        (res_post_sandwich, "two separate LayerNorms), where 'res-post' is x + LN(F(x))"),
        (returns_none_for_others, "For an unknown placement ('middle') it returns None"),
        (res_post_without_skip, "the `x +` is missing"),
        (delegates, "Your code calls cu.post_norm_sublayer, the course's own code"),
        (ignores_placement, "it ignores `placement`"),
        (normalised_skip, "a formula some summaries give for pre-norm"),
        (no_skip, "the `x +` is missing"),
        (falls_through, "For an unknown placement ('middle') it returns a result"),
        (asserts, "For an unknown placement ('middle') it raises AssertionError"),
        (in_place, "changed its input `x` in place"),
        (norm_on_skip, "the norm is on the skip and the branch sees x raw"),
        (lambda x, sublayer, norm, placement: None, "returned None"),
    ],
    "next_char_windows": [
        (windows_previous, "the targets are the PREVIOUS characters"),
        (windows_rolled, "wraps around to the window's first character"),
        (windows_short, "the targets are one shorter than the inputs"),
        (windows_shifted_inputs, "the inputs changed"),
        (windows_as_floats, "character ids are integers"),
        (lambda ids, starts, seq_len: None, "should return a pair (inputs, targets)"),
    ],
    "gradient_spread": [
        (spread_mean, "it averages the seeds with the mean"),
        (spread_ends, "the largest and the smallest need not sit at the ends"),
        (spread_pooled, "over all seeds together"),
        (spread_of_median, "it takes the median profile first"),
        (spread_upside_down, "it is upside down"),
        (spread_at_checkpoint_one, "use the `checkpoint` argument"),
        (spread_over_seeds, "over the SEEDS, for each layer"),
        (spread_pasted, "returned 1234"),
        (lambda runs, variant, checkpoint=1: "large", "return one number"),
    ],
}

def windows_same_slices(ids, starts, seq_len):
    windows = torch.stack([ids[s:s + seq_len] for s in starts.tolist()])
    return windows, windows.clone()


NOT_ATTEMPTED_ALSO = [("next_char_windows", windows_same_slices)]
RIGHT = {"residual_sublayer": [with_match], "next_char_windows": [windows_unfolded],
         "gradient_spread": [spread_with_statistics]}
