"""test/fixtures/optim.json: optimizer trajectories and learning-rate schedules, computed by PyTorch.

Trajectories are computed in float64 (from float32-representable starting values) and recorded as
full doubles, so a float64 waldo run can be compared tightly and a float32 run loosely.

The problem: data X [5, 3], targets T [5, 4], parameters w [3, 4] and b [4],
    loss(w, b) = mean((X·w + b − T)²) + 0.1·sum(w⁴)
Each step k: zero the gradients, compute the loss and its gradients at the current parameters,
record them, optimizer.step(), (scheduler.step() if any), record the parameters.
"""
import torch

from fixtures_common import generator, randn, tensor64_json

STEPS = 8
SCHEDULE_STEPS = 20

_SNAKE = {
    "weightDecay": "weight_decay", "stepSize": "step_size", "tMax": "T_max", "etaMin": "eta_min",
    "maxLr": "max_lr", "totalSteps": "total_steps", "pctStart": "pct_start", "annealStrategy": "anneal_strategy",
    "cycleMomentum": "cycle_momentum", "baseMomentum": "base_momentum", "maxMomentum": "max_momentum",
    "divFactor": "div_factor", "finalDivFactor": "final_div_factor", "threePhase": "three_phase",
    "thresholdMode": "threshold_mode", "minLr": "min_lr",
}


def _kwargs(options):
    return {_SNAKE.get(k, k): tuple(v) if isinstance(v, list) else v for k, v in options.items()}


OPTIMIZERS = {
    "SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW, "RMSprop": torch.optim.RMSprop,
}
SCHEDULERS = {
    "StepLR": torch.optim.lr_scheduler.StepLR,
    "CosineAnnealingLR": torch.optim.lr_scheduler.CosineAnnealingLR,
    "OneCycleLR": torch.optim.lr_scheduler.OneCycleLR,
    "ReduceLROnPlateau": torch.optim.lr_scheduler.ReduceLROnPlateau,
}


def _problem():
    g = generator("optim/problem")
    return {
        "X": randn(g, [5, 3]).double(),
        "T": randn(g, [5, 4]).double(),
        "w": randn(g, [3, 4], 0.5).double(),
        "b": randn(g, [4], 0.5).double(),
    }


def _loss(p, w, b):
    return ((p["X"] @ w + b - p["T"]) ** 2).mean() + 0.1 * (w ** 4).sum()


def trajectory(problem, name, optimizer, options, scheduler=None):
    w = problem["w"].clone().requires_grad_(True)
    b = problem["b"].clone().requires_grad_(True)
    opt = OPTIMIZERS[optimizer]([w, b], **_kwargs(options))
    sched = SCHEDULERS[scheduler["type"]](opt, **_kwargs(scheduler["options"])) if scheduler else None
    record = {"name": name, "optimizer": optimizer, "options": options}
    if scheduler:
        record["scheduler"] = scheduler
    record.update({"lr": [], "loss": [], "grads": [], "params": []})
    for _ in range(STEPS):
        opt.zero_grad()
        loss = _loss(problem, w, b)
        loss.backward()
        record["lr"].append(opt.param_groups[0]["lr"])
        record["loss"].append(loss.item())
        record["grads"].append([w.grad.reshape(-1).tolist(), b.grad.reshape(-1).tolist()])
        opt.step()
        if sched:
            sched.step()
        record["params"].append([w.detach().reshape(-1).tolist(), b.detach().reshape(-1).tolist()])
    return record


def schedule(name, scheduler, options, optimizer="SGD", optimizer_options=None, metrics=None):
    optimizer_options = optimizer_options or {"lr": 0.1}
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = OPTIMIZERS[optimizer]([p], **_kwargs(optimizer_options))
    sched = SCHEDULERS[scheduler](opt, **_kwargs(options))
    record = {"name": name, "scheduler": scheduler, "options": options, "optimizer": optimizer,
              "optimizerOptions": optimizer_options}
    if metrics is not None:
        record["metrics"] = metrics
    group = opt.param_groups[0]
    momentum_key = None
    if scheduler == "OneCycleLR" and options.get("cycleMomentum", True):
        momentum_key = "beta1" if "betas" in group else "momentum"
    lrs = [group["lr"]]
    momenta = [group["betas"][0] if momentum_key == "beta1" else group.get("momentum")]
    for k in range(SCHEDULE_STEPS):
        opt.step()  # no gradient: parameters stay, but PyTorch expects optimizer.step() before scheduler.step()
        if metrics is not None:
            sched.step(metrics[k])
        else:
            sched.step()
        lrs.append(group["lr"])
        momenta.append(group["betas"][0] if momentum_key == "beta1" else group.get("momentum"))
    record["lr"] = lrs
    if momentum_key:
        record[momentum_key] = momenta
    return record


def build():
    problem = _problem()
    trajectories = [
        trajectory(problem, "sgd", "SGD", {"lr": 0.1}),
        trajectory(problem, "sgd_momentum0.9", "SGD", {"lr": 0.05, "momentum": 0.9}),
        trajectory(problem, "sgd_momentum0.9_dampening0.1", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1}),
        trajectory(problem, "sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
        trajectory(problem, "sgd_weightDecay0.01", "SGD", {"lr": 0.1, "weightDecay": 0.01}),
        trajectory(problem, "sgd_momentum_weightDecay", "SGD", {"lr": 0.05, "momentum": 0.8, "weightDecay": 0.1}),
        trajectory(problem, "adam_default", "Adam", {}),
        trajectory(problem, "adam_lr0.05", "Adam", {"lr": 0.05}),
        trajectory(problem, "adam_betas_eps", "Adam", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-6}),
        trajectory(problem, "adam_amsgrad", "Adam", {"lr": 0.05, "amsgrad": True}),
        trajectory(problem, "adam_weightDecay0.1", "Adam", {"lr": 0.05, "weightDecay": 0.1}),
        trajectory(problem, "adamw_default", "AdamW", {}),
        trajectory(problem, "adamw_lr0.05", "AdamW", {"lr": 0.05}),
        trajectory(problem, "adamw_weightDecay0.5_amsgrad", "AdamW", {"lr": 0.05, "weightDecay": 0.5, "amsgrad": True}),
        trajectory(problem, "rmsprop_default", "RMSprop", {}),
        trajectory(problem, "rmsprop_momentum0.9", "RMSprop", {"lr": 0.01, "momentum": 0.9}),
        trajectory(problem, "rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}),
        trajectory(problem, "rmsprop_alpha_centered_momentum_weightDecay", "RMSprop",
                   {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "momentum": 0.5, "centered": True, "weightDecay": 0.01}),
        trajectory(problem, "sgd_momentum_stepLR", "SGD", {"lr": 0.1, "momentum": 0.9},
                   {"type": "StepLR", "options": {"stepSize": 3, "gamma": 0.5}}),
        trajectory(problem, "adam_oneCycleLR", "Adam", {"lr": 0.01},
                   {"type": "OneCycleLR", "options": {"maxLr": 0.1, "totalSteps": STEPS}}),
    ]

    plateau_metrics = [1.0, 0.9, 0.85, 0.86, 0.86, 0.87, 0.84, 0.84, 0.845, 0.9, 0.9, 0.9, 0.83, 0.8, 0.8,
                       0.8, 0.8, 0.8, 0.8, 0.8]
    accuracy_metrics = [0.5, 0.6, 0.65, 0.655, 0.66, 0.7, 0.705, 0.7, 0.71, 0.72, 0.72, 0.721, 0.75, 0.75, 0.75,
                        0.75, 0.76, 0.76, 0.76, 0.76]
    stalling_metrics = [1.0, 0.8, 0.7] + [0.7, 0.69995] * 8 + [0.6]
    schedules = [
        schedule("stepLR_stepSize5_gamma0.5", "StepLR", {"stepSize": 5, "gamma": 0.5}),
        schedule("stepLR_stepSize3_default_gamma", "StepLR", {"stepSize": 3}),
        schedule("cosineAnnealingLR_tMax20", "CosineAnnealingLR", {"tMax": 20}),
        schedule("cosineAnnealingLR_tMax8_etaMin0.01_past_tMax", "CosineAnnealingLR", {"tMax": 8, "etaMin": 0.01}),
        schedule("oneCycleLR_sgd_defaults", "OneCycleLR", {"maxLr": 0.1, "totalSteps": 20},
                 optimizer_options={"lr": 0.1, "momentum": 0.9}),
        schedule("oneCycleLR_sgd_linear_threePhase", "OneCycleLR",
                 {"maxLr": 0.5, "totalSteps": 20, "pctStart": 0.25, "annealStrategy": "linear", "threePhase": True,
                  "divFactor": 10, "finalDivFactor": 100, "baseMomentum": 0.8, "maxMomentum": 0.9},
                 optimizer_options={"lr": 0.1, "momentum": 0.9}),
        schedule("oneCycleLR_sgd_no_cycleMomentum", "OneCycleLR",
                 {"maxLr": 0.2, "totalSteps": 20, "cycleMomentum": False}, optimizer_options={"lr": 0.1}),
        schedule("oneCycleLR_adam_beta1", "OneCycleLR", {"maxLr": 0.01, "totalSteps": 20},
                 optimizer="Adam", optimizer_options={"lr": 0.001}),
        schedule("reduceLROnPlateau_min_factor0.5_patience2", "ReduceLROnPlateau",
                 {"mode": "min", "factor": 0.5, "patience": 2}, metrics=plateau_metrics),
        schedule("reduceLROnPlateau_min_defaults", "ReduceLROnPlateau", {}, metrics=stalling_metrics),
        schedule("reduceLROnPlateau_max_abs_cooldown_minLr", "ReduceLROnPlateau",
                 {"mode": "max", "factor": 0.1, "patience": 1, "threshold": 0.01, "thresholdMode": "abs",
                  "cooldown": 2, "minLr": 0.0005}, metrics=accuracy_metrics),
    ]
    return {
        "problem": {
            "loss": "mean((X·w + b − T)²) + 0.1·sum(w⁴)",
            "dtype": "float64",
            "X": tensor64_json(problem["X"]),
            "T": tensor64_json(problem["T"]),
            "params": [dict(name="w", **tensor64_json(problem["w"])), dict(name="b", **tensor64_json(problem["b"]))],
        },
        "steps": STEPS,
        "trajectories": trajectories,
        "scheduleSteps": SCHEDULE_STEPS,
        "schedules": schedules,
    }
