"""The fast paths of training and prediction: the optimizer step's
implementation and mixed precision.

* :func:`optimizer_defaults`: the default ``torch.optim.Adam`` (or ``AdamW``)
  runs its fused kernel where this PyTorch build has one for the device
  (CPU since torch 2.4, CUDA), else its ``foreach`` (multi-tensor) version,
  else PyTorch's single-tensor loop. One Adam step over the default model's 10.2 M
  parameters on a quiet 2-core AMD EPYC: single-tensor 34.5 ms, foreach 24.5 ms,
  fused 5.8 ms (``benchmarks/results/benchmark_speed.md``). A user's
  optimizer, or explicit ``optimizer__fused``/``optimizer__foreach``, is left
  as given.
* :func:`resolve_precision`: the classifiers' ``precision`` parameter. The
  weights stay float32 (the "master" weights the optimizer updates); the
  forward pass runs under ``torch.autocast`` in bfloat16 (CPU with native
  bf16, CUDA) or float16 (CUDA, with a gradient scaler). The outputs are
  float32.
"""

import functools
import warnings

import torch

__all__ = ["PRECISIONS", "cpu_has_native_bf16", "fused_adam_supported", "foreach_supported",
           "optimizer_defaults", "resolve_precision", "autocast_dtype",
           "needs_grad_scaler", "prediction_precision"]

#: Values of the classifiers' ``precision`` parameter.
PRECISIONS = ("auto", "float32", "bf16", "fp16")

#: The optimizers whose step implementation the classifiers choose when the
#: user has not (``optimizer__fused`` / ``optimizer__foreach``).
_STEP_CHOOSING = (torch.optim.Adam, torch.optim.AdamW)

#: Whether ``precision='auto'`` turns bf16 on where the CPU computes it
#: natively. Measured on IMDB (4,000 training reviews, 2,000 held out, the
#: default LSTM with its n-gram path, 3 epochs, seeds 0 and 1): held-out
#: accuracy 85.55% / 85.45% in bf16 against 83.60% / 84.60% in float32 with
#: single-tensor Adam (84.00% / 84.90% fused), fits 1.3-2.2x faster: the
#: accuracy holds, so ``'auto'`` takes bf16 there
#: (benchmarks/results/benchmark_speed.md has the 20,000-review rows).
AUTO_BF16_ON_CPU = True

#: The cells ``'auto'`` trains in bf16 on the CPU: the LSTM runs oneDNN's
#: bf16 kernel (forward + backward 2-2.6x faster at 20 steps, 2x at 300, one
#: thread); the GRU and the Elman RNN are composite operations whose input
#: products alone are cast (1.0-1.2x), not worth the rounding.
AUTO_BF16_CELLS = ("lstm",)


@functools.cache
def cpu_has_native_bf16():
    """Whether this CPU computes bfloat16 natively (AVX-512 BF16 or AMX-BF16).

    Read from the CPU's flags (``/proc/cpuinfo`` on Linux); PyTorch's
    ``torch.backends.cpu.get_cpu_capability()`` names AMX but not AVX-512
    BF16. False where neither says so (bf16 would then be emulated, slower
    than float32).
    """
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    try:
        return "AMX" in torch.backends.cpu.get_cpu_capability()
    except (AttributeError, RuntimeError):
        return False


@functools.cache
def _step_works(device_type, **kwargs):
    """Whether ``torch.optim.Adam(..., **kwargs)`` builds and steps on a
    parameter of ``device_type`` (float32) in this PyTorch build."""
    try:
        param = torch.nn.Parameter(torch.zeros(2, device=device_type))
        param.grad = torch.ones_like(param)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.optim.Adam([param], lr=1e-3, **kwargs).step()
        return bool(torch.isfinite(param).all())
    except (RuntimeError, ValueError, TypeError, NotImplementedError, AssertionError):
        return False


def _device_type(device):
    return torch.device(device).type


def fused_adam_supported(device):
    """Whether Adam's fused kernel runs on ``device`` in this PyTorch build."""
    return _step_works(_device_type(device), fused=True)


def foreach_supported(device):
    """Whether Adam's multi-tensor (``foreach``) step runs on ``device``."""
    return _step_works(_device_type(device), foreach=True)


def optimizer_defaults(optimizer, device, given):
    """The step implementation to pass to ``optimizer`` on ``device``.

    Parameters
    ----------
    optimizer : type
        The classifier's ``optimizer`` parameter.
    device : str or torch.device
    given : dict
        The ``optimizer__*`` parameters the user set (without the prefix).

    Returns
    -------
    kwargs : dict
        ``{'fused': True}``, ``{'foreach': True}`` or ``{}``: empty for an
        optimizer other than Adam/AdamW, or when the user chose
        ``fused``/``foreach`` (or another option a fused step refuses:
        ``differentiable``, ``capturable``).
    """
    if optimizer not in _STEP_CHOOSING or given.keys() & {
            "fused", "foreach", "differentiable", "capturable"}:
        return {}
    if fused_adam_supported(device):
        return {"fused": True}
    if foreach_supported(device):
        return {"foreach": True}
    return {}


def resolve_precision(precision, device, cell="lstm"):
    """The precision a fit on ``device`` uses: 'float32', 'bf16' or 'fp16'.

    Parameters
    ----------
    precision : {'auto', 'float32', 'bf16', 'fp16'}
        ``'auto'``: on CUDA, bf16 where the GPU supports it, else fp16; on
        the CPU, float32 unless :data:`AUTO_BF16_ON_CPU`, the CPU has
        native bf16 (:func:`cpu_has_native_bf16`) and ``cell`` is one of
        :data:`AUTO_BF16_CELLS`. A CPU without it never gets bf16 by
        default (it would be slower).
    device : str or torch.device
        The resolved device of the fit.
    cell : {'lstm', 'gru', 'rnn'}, default='lstm'

    Returns
    -------
    precision : str

    Raises
    ------
    ValueError
        ``'fp16'`` on a device other than CUDA.
    """
    kind = _device_type(device)
    if precision == "auto":
        if kind == "cuda":
            return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        if (kind == "cpu" and AUTO_BF16_ON_CPU and cell in AUTO_BF16_CELLS
                and cpu_has_native_bf16()):
            return "bf16"
        return "float32"
    if precision == "fp16" and kind != "cuda":
        raise ValueError(
            f"precision='fp16' needs a CUDA device (float16 training uses a gradient "
            f"scaler on the GPU); this fit runs on {device}. Use precision='bf16' (fast "
            "on CPUs with AVX-512 BF16 or AMX) or 'float32'."
        )
    return precision


def autocast_dtype(precision, device):
    """The ``torch.autocast`` dtype of a fitted ``precision_`` on ``device``,
    or None for plain float32. A model trained in fp16 on a GPU predicts in
    float32 on the CPU."""
    kind = _device_type(device)
    if precision == "bf16" and kind in ("cpu", "cuda"):
        return torch.bfloat16
    if precision == "fp16" and kind == "cuda":
        return torch.float16
    return None


def needs_grad_scaler(precision, device):
    """Whether training in ``precision`` on ``device`` scales the loss
    (float16's range is too narrow for small gradients)."""
    return autocast_dtype(precision, device) is torch.float16


def prediction_precision(precision):
    """The precision prediction runs in, from the ``precision`` parameter as
    it is now (``set_params`` after ``fit`` counts): under autocast only when
    asked for by name ('bf16', 'fp16'); 'auto' and 'float32' predict in
    float32, exactly as the ONNX export and the float32 model do. (bf16
    prediction is about 1.7x faster on a CPU with native bf16; its
    probabilities differ from float32's by up to about 1.3e-3 on IMDB.)"""
    return precision if precision in ("bf16", "fp16") else "float32"
