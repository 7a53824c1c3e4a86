"""
GPU trainer for fer-cnn-lstm's CNN-LSTM: the same architecture as `buildCnnLstm()` (src/model/cnn-lstm.ts,
0.2) and the same recipe as `train()` (Adam or SGD with Nesterov momentum, cross-entropy with label smoothing,
per-step cosine schedule with warm-up, rotation/zoom/shift/flip augmentation with nearest fill, random erasing, mixup, optional class weights), written
in PyTorch so that ablations that take hours on 2 CPU cores take minutes on a lent GPU. The best epoch
(by PublicTest accuracy) is exported layer by layer in tfjs-layers order and naming; `scripts/gpu/import-torch-weights.ts`
loads the export into `buildCnnLstm(export.model)`, checks it against this script's own outputs and writes a run folder.

    python3 scripts/gpu/train_torch.py --data /tmp/fer2013.bin --config configs/x.json --out /tmp/runs/x

`--data` is the raw (un-xz'd) file written by scripts/gpu/pack-dataset.ts. `--arch resnet` trains a
non-shippable ResNet-18-like reference network instead (a ceiling for what this data allows).

Mirrors what tfjs-layers does, option for option (the defaults are buildCnnLstm's; the keys 0.2 removed,
blurSigma, blurOnlyAtInference and downsample, are refused as buildCnnLstm refuses them):
per-image standardization (biased variance + 1e-3); a stem (`stemFilters`, default 32) of one 3x3 conv + batch
norm + ReLU at full resolution, either strided (`stemStride` 2, default) or followed by a 2x2 max pool (`stem_pool`,
`stemStride` 1); blocks of 3x3 convolutions without bias before batch norm (eps 1e-3, momentum 0.99), with
`residual` the block input (through a 1x1 conv + batch norm `block{b}_shortcut` when the width changes) added
before the last ReLU; a 2x2 max pool after every block but the last (unless `poolLastBlock`); an LSTM with
hard-sigmoid gates (tfjs' hardSigmoid: clip(0.2 x + 0.5, 0, 1), the default) or `lstmGates: 'sigmoid'`, unit
forget bias, gates in i, f, c, o order. Convolutions pad as TensorFlow's 'same' does: the total padding
max((ceil(n/s) - 1) s + k - n, 0) is split with the extra pixel at the bottom/right, so a stride-2 3x3 conv on
an even size pads 0 at the top/left and 1 at the bottom/right (not PyTorch's padding=1).

CPU checks without a GPU (the fixtures of test/scripts/torch-export.test.ts, made by
test/scripts/fixtures/torch-export/make-fixtures.sh): Debian bookworm's PyTorch 1.13,

    flock /tmp/apt.lock sh -c 'apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch'
    PYTHONNOUSERSITE=1 /usr/bin/python3 scripts/gpu/train_torch.py --export-only --config '{"model": {"filters": [4, 8]}}' --out /tmp/x

Run it with Debian's own interpreter, /usr/bin/python3, which finds Debian's torch and numpy 1.24 in
/usr/lib/python3/dist-packages: a `python3` earlier on PATH (pyenv, or a pip install in /usr/local) has no torch,
and its numpy 2.x cannot be used by torch 1.13 (with another interpreter, PYTHONPATH=/usr/lib/python3/dist-packages
puts Debian's numpy first). The export path (--export-only, and the weights.json encoding) uses no numpy.
"""
import argparse, base64, copy, json, math, os, struct, sys, time

try:
    import numpy as np  # data loading and metrics; the export path uses none
except ImportError:
    np = None
import torch
import torch.nn as nn
import torch.nn.functional as F

CLASSES = ['Angry', 'Disgust', 'Fear', 'Happy', 'Sad', 'Surprise', 'Neutral']
EXPORT_FORMAT = 'fer-cnn-lstm-torch-export/2'  # /1: the 0.1 architecture (inference blur, fixed downsampling, no stem)
# buildCnnLstm's DEFAULT_CNN_LSTM_OPTIONS (src/model/cnn-lstm.ts), less `name`
DEFAULT_MODEL = dict(inputSize=48, numClasses=7, filters=[32, 64, 128], convsPerBlock=2, batchNorm=True,
                     sequence='rows', lstmUnits=128, bidirectional=False, denseUnits=128, convDropout=0,
                     dropout=0.2, l2=0, standardize=True, stemFilters=32, stemStride=2, residual=False,
                     poolLastBlock=False, lstmGates='hardSigmoid')
REMOVED_OPTIONS = {
    'blurSigma': 'the inference blur was fitted to a blurred copy of the FER-2013 training images and is gone',
    'blurOnlyAtInference': 'the inference blur was fitted to a blurred copy of the FER-2013 training images and is gone',
    'downsample': 'the fixed average-pool downsampling was fitted to blurred training images; use stemStride (a learned stem) instead',
}


def model_options(model_cfg):
    """The config's `model` merged into the defaults, refused where buildCnnLstm would refuse it."""
    for k in model_cfg:
        if k in REMOVED_OPTIONS:
            raise SystemExit(f'model option {k} was removed in 0.2: {REMOVED_OPTIONS[k]}')
        if k not in DEFAULT_MODEL and k not in ('seed', 'name'):
            raise SystemExit(f'unknown model option {k}')
    o = {**DEFAULT_MODEL, **model_cfg}
    def check(cond, msg):
        if not cond:
            raise SystemExit(f'model: {msg}')
    check(isinstance(o['inputSize'], int) and o['inputSize'] >= 4, f"inputSize must be an integer >= 4, got {o['inputSize']}")
    check(isinstance(o['filters'], list) and len(o['filters']) >= 1 and all(isinstance(f, int) and f > 0 for f in o['filters']),
          'filters must be a list of positive integers')
    check(isinstance(o['stemFilters'], int) and o['stemFilters'] >= 0, f"stemFilters must be an integer >= 0, got {o['stemFilters']}")
    check(o['stemStride'] in (1, 2), f"stemStride must be 1 or 2, got {o['stemStride']}")
    halvings = len(o['filters']) - (0 if o['poolLastBlock'] else 1) + (1 if o['stemFilters'] > 0 else 0)
    check(o['inputSize'] >> halvings >= 1, f"{halvings} poolings shrink a {o['inputSize']}px input to nothing")
    check(o['lstmGates'] in ('hardSigmoid', 'sigmoid'), f"lstmGates must be hardSigmoid or sigmoid, got {o['lstmGates']}")
    convs = o['convsPerBlock'] if isinstance(o['convsPerBlock'], list) else [o['convsPerBlock']] * len(o['filters'])
    check(len(convs) == len(o['filters']), f"convsPerBlock has {len(convs)} entries for {len(o['filters'])} blocks")
    check(all(isinstance(n, int) and n >= 1 for n in convs), 'convsPerBlock must be >= 1')
    o['convsPerBlock'] = convs  # one entry per block, as buildCnnLstm resolves it
    check(o['sequence'] in ('rows', 'columns', 'cells'), f"sequence must be rows, columns or cells, got {o['sequence']}")
    check(0 <= o['dropout'] < 1 and 0 <= o['convDropout'] < 1, 'dropout rates must be in [0, 1)')
    return o


def load_data(path, device):
    raw = np.fromfile(path, dtype=np.uint8)
    assert raw[:4].tobytes() == b'FER1', f'{path}: not a pack-dataset.ts file'
    n = int(raw[4:8].view(np.uint32)[0])
    splits = raw[8:8 + n]
    labels = raw[8 + n:8 + 2 * n]
    images = raw[8 + 2 * n:8 + 2 * n + n * 2304].reshape(n, 1, 48, 48)
    out = {}
    for code, name in [(0, 'Training'), (1, 'PublicTest')]:
        idx = np.nonzero(splits == code)[0]
        out[name] = (torch.from_numpy(images[idx].copy()).to(device), torch.from_numpy(labels[idx].astype(np.int64)).to(device))
    return out


def standardize(x):
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * torch.rsqrt(var + 1e-3)


def hard_sigmoid(x):
    """tfjs-layers' hardSigmoid (not Keras 3's x/6 + 1/2): clip(0.2 x + 0.5, 0, 1)."""
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


GATES = {'hardSigmoid': hard_sigmoid, 'sigmoid': torch.sigmoid}


def same_padding(n, k, s):
    """TensorFlow's 'same' padding of one axis: (before, after), the odd pixel after."""
    total = max((-(-n // s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


class KerasConvBn(nn.Module):
    """tfjs conv2d (padding 'same', bias only without batch norm) + batchNormalization (eps 1e-3, momentum 0.99)."""

    def __init__(self, c_in, c_out, k, stride, batch_norm):
        super().__init__()
        self.k, self.stride = k, stride
        self.conv = nn.Conv2d(c_in, c_out, k, stride, padding=0, bias=not batch_norm)
        nn.init.normal_(self.conv.weight, 0, math.sqrt(2 / (k * k * c_in)))
        if self.conv.bias is not None:
            nn.init.zeros_(self.conv.bias)
        self.bn = nn.BatchNorm2d(c_out, eps=1e-3, momentum=0.01) if batch_norm else None

    def forward(self, x):
        (t, b), (l, r) = same_padding(x.shape[2], self.k, self.stride), same_padding(x.shape[3], self.k, self.stride)
        if t or b or l or r:
            x = F.pad(x, (l, r, t, b))
        x = self.conv(x)
        return x if self.bn is None else self.bn(x)

    def export(self, name):
        out = {name: [self.conv.weight.permute(2, 3, 1, 0)] + ([] if self.conv.bias is None else [self.conv.bias])}
        if self.bn is not None:
            out[f'{name}_bn'] = [self.bn.weight, self.bn.bias, self.bn.running_mean, self.bn.running_var]
        return out


class KerasLSTM(nn.Module):
    """tfjs-layers LSTM: kernel [in, 4u], recurrent kernel [u, 4u], bias [4u], gates i f c o."""

    def __init__(self, n_in, units, gates='hardSigmoid'):
        super().__init__()
        self.units = units
        self.gate = GATES[gates]
        self.kernel = nn.Parameter(torch.empty(n_in, 4 * units))
        self.recurrent_kernel = nn.Parameter(torch.empty(units, 4 * units))
        self.bias = nn.Parameter(torch.zeros(4 * units))
        limit = math.sqrt(6 / (n_in + 4 * units))
        nn.init.uniform_(self.kernel, -limit, limit)
        nn.init.orthogonal_(self.recurrent_kernel)
        with torch.no_grad():
            self.bias[units:2 * units] = 1.0

    def forward(self, seq):  # seq [n, steps, features] -> last h [n, units]
        n, steps, _ = seq.shape
        u = self.units
        sg = self.gate
        xz = seq @ self.kernel + self.bias
        h = seq.new_zeros(n, u)
        c = seq.new_zeros(n, u)
        for t in range(steps):
            z = xz[:, t] + h @ self.recurrent_kernel
            i, f, g, o = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
            c = sg(f) * c + sg(i) * torch.tanh(g)
            h = sg(o) * torch.tanh(c)
        return h

    def export(self):
        return [self.kernel, self.recurrent_kernel, self.bias]


class KerasDense(nn.Module):
    def __init__(self, n_in, n_out, init):
        super().__init__()
        self.kernel = nn.Parameter(torch.empty(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))
        if init == 'he':
            nn.init.normal_(self.kernel, 0, math.sqrt(2 / n_in))
        else:
            limit = math.sqrt(6 / (n_in + n_out))
            nn.init.uniform_(self.kernel, -limit, limit)

    def forward(self, x):
        return x @ self.kernel + self.bias


def encode_array(t):
    """{shape, data}: little-endian float32, base64 (no numpy, so that the export runs with any numpy or none)."""
    t = t.detach().float().cpu().contiguous()
    flat = t.flatten().tolist()
    return {'shape': list(t.shape), 'data': base64.b64encode(struct.pack(f'<{len(flat)}f', *flat)).decode()}


class CnnLstm(nn.Module):
    """buildCnnLstm(o); the modules are keyed by their tfjs layer names."""

    def __init__(self, o):
        super().__init__()
        self.o = o
        bn = o['batchNorm']
        self.convs = nn.ModuleDict()  # tfjs conv layer name -> conv (+ batch norm), in build order
        c_in, size = 1, o['inputSize']
        if o['stemFilters'] > 0:
            self.convs['stem_conv'] = KerasConvBn(1, o['stemFilters'], 3, o['stemStride'], bn)
            c_in, size = o['stemFilters'], -(-size // 2) if o['stemStride'] == 2 else size // 2
        last = len(o['filters']) - 1
        for b, f in enumerate(o['filters']):
            block_in = c_in
            for c in range(o['convsPerBlock'][b]):
                self.convs[f'block{b + 1}_conv{c + 1}'] = KerasConvBn(c_in, f, 3, 1, bn)
                c_in = f
            if o['residual'] and block_in != f:
                self.convs[f'block{b + 1}_shortcut'] = KerasConvBn(block_in, f, 1, 1, bn)
            if o['poolLastBlock'] or b < last:
                size //= 2
        h = w = size
        steps, feats = {'rows': (h, w * c_in), 'columns': (w, h * c_in), 'cells': (h * w, c_in)}[o['sequence']]
        if steps < 2:
            raise SystemExit(f"model: the LSTM needs a sequence of at least 2 steps, but the blocks leave a {h}x{w} feature map")
        self.lstm = KerasLSTM(feats, o['lstmUnits'], o['lstmGates'])
        self.lstm_b = KerasLSTM(feats, o['lstmUnits'], o['lstmGates']) if o['bidirectional'] else None
        width = o['lstmUnits'] * (2 if o['bidirectional'] else 1)
        self.dense = KerasDense(width, o['denseUnits'], 'he') if o['denseUnits'] > 0 else None
        self.head = KerasDense(o['denseUnits'] or width, o['numClasses'], 'glorot')

    def forward(self, x):
        """x: [n, 1, s, s] in [0, 1] -> logits [n, classes]."""
        o = self.o
        cv = self.convs
        if o['standardize']:
            x = standardize(x)
        if o['stemFilters'] > 0:
            x = F.relu(cv['stem_conv'](x))
            if o['stemStride'] == 1:
                x = F.max_pool2d(x, 2)  # stem_pool
        last = len(o['filters']) - 1
        for b in range(len(o['filters'])):
            block_in = x
            for c in range(o['convsPerBlock'][b]):
                x = cv[f'block{b + 1}_conv{c + 1}'](x)
                if o['residual'] and c == o['convsPerBlock'][b] - 1:
                    sc = f'block{b + 1}_shortcut'
                    x = x + (cv[sc](block_in) if sc in cv else block_in)  # block{b}_add, before the last ReLU
                x = F.relu(x)
            if o['poolLastBlock'] or b < last:
                x = F.max_pool2d(x, 2)
            if o['convDropout'] > 0:
                x = F.dropout(x, o['convDropout'], self.training)
        n, c, h, w = x.shape
        if o['sequence'] == 'rows':
            seq = x.permute(0, 2, 3, 1).reshape(n, h, w * c)
        elif o['sequence'] == 'columns':
            seq = x.permute(0, 3, 2, 1).reshape(n, w, h * c)
        else:
            seq = x.permute(0, 2, 3, 1).reshape(n, h * w, c)
        z = self.lstm(seq)
        if self.lstm_b is not None:
            z = torch.cat([z, self.lstm_b(seq.flip(1))], 1)
        if self.dense is not None:
            z = F.relu(self.dense(z))
        if o['dropout'] > 0:
            z = F.dropout(z, o['dropout'], self.training)
        return self.head(z)

    def l2_kernels(self):
        """The kernels buildCnnLstm regularizes: every convolution (stem and shortcuts included) and the dense layer."""
        ks = [m.conv.weight for m in self.convs.values()]
        if self.dense is not None:
            ks.append(self.dense.kernel)
        return ks

    def export(self):
        """Weights per tfjs layer name, in the layer's `weights` order, as Keras-layout arrays."""
        out = {}
        for name, m in self.convs.items():
            out.update(m.export(name))
        if self.lstm_b is None:
            out['lstm'] = self.lstm.export()
        else:
            out['bilstm'] = self.lstm.export() + self.lstm_b.export()
        if self.dense is not None:
            out['dense'] = [self.dense.kernel, self.dense.bias]
        out['emotion'] = [self.head.kernel, self.head.bias]
        return {name: [encode_array(t) for t in arrs] for name, arrs in out.items()}


class ResNetRef(nn.Module):
    """Reference only (not shippable): ResNet-18-like for 48x48, to bound what the data allows."""

    def __init__(self, o):
        super().__init__()
        self.o = o
        def block(cin, cout, stride):
            return nn.ModuleDict(dict(
                c1=nn.Conv2d(cin, cout, 3, stride, 1, bias=False), b1=nn.BatchNorm2d(cout),
                c2=nn.Conv2d(cout, cout, 3, 1, 1, bias=False), b2=nn.BatchNorm2d(cout),
                sc=nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)) if stride != 1 or cin != cout else nn.Identity()))
        self.stem = nn.Sequential(nn.Conv2d(1, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU())
        chans = [(64, 64, 1), (64, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2), (256, 256, 1), (256, 512, 2), (512, 512, 1)]
        self.blocks = nn.ModuleList([block(*c) for c in chans])
        self.fc = nn.Linear(512, o['numClasses'])

    def forward(self, x):
        x = standardize(x)
        x = self.stem(x)
        for b in self.blocks:
            y = F.relu(b['b1'](b['c1'](x)))
            y = b['b2'](b['c2'](y))
            x = F.relu(y + b['sc'](x))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(F.dropout(x, self.o['dropout'], self.training))


def augment(x, a, gen):
    """x [n,1,h,w] float. Same transform as src/data/augment.ts: input = A (out - c) + c + t, bilinear, nearest fill."""
    n, _, h, w = x.shape
    dev = x.device
    u = lambda lo, hi: torch.rand(n, device=dev, generator=gen) * (hi - lo) + lo
    rot = a.get('rotation', 0) or 0
    zoom = a.get('zoom', 0) or 0
    shift = a.get('shift', 0) or 0
    theta = u(-rot, rot) * math.pi / 180 if rot else torch.zeros(n, device=dev)
    scale = u(1 - zoom, 1 + zoom) if zoom else torch.ones(n, device=dev)
    tx = u(-shift, shift) * w if shift else torch.zeros(n, device=dev)
    ty = u(-shift, shift) * h if shift else torch.zeros(n, device=dev)
    f = torch.where(torch.rand(n, device=dev, generator=gen) < 0.5, -1.0, 1.0) if a.get('flip') else torch.ones(n, device=dev)
    cos, sin = torch.cos(theta) / scale, torch.sin(theta) / scale
    a00, a01, a10, a11 = cos * f, -sin, sin * f, cos
    cx, cy = (w - 1) / 2, (h - 1) / 2
    ys, xs = torch.meshgrid(torch.arange(h, device=dev, dtype=torch.float32), torch.arange(w, device=dev, dtype=torch.float32), indexing='ij')
    ox, oy = (xs - cx)[None], (ys - cy)[None]
    ix = a00[:, None, None] * ox + a01[:, None, None] * oy + cx + tx[:, None, None]
    iy = a10[:, None, None] * ox + a11[:, None, None] * oy + cy + ty[:, None, None]
    grid = torch.stack([2 * ix / (w - 1) - 1, 2 * iy / (h - 1) - 1], -1)
    x = F.grid_sample(x, grid, mode='bilinear', padding_mode='border', align_corners=True)
    return erase(x, a.get('erasing', 0) or 0, gen)


def erase(x, p, gen):
    """Random erasing as src/data/augment.ts draws it (not the same numbers): with probability p one rectangle,
    2-33% of the area, aspect log-uniform in [0.3, 3.3], up to 10 tries to fit, filled with noise in the image's range."""
    if not p:
        return x
    n, _, h, w = x.shape
    dev = x.device
    rand = lambda: torch.rand(n, device=dev, generator=gen)
    todo = rand() < p
    top = torch.zeros(n, device=dev, dtype=torch.long)
    left, eh, ew = top.clone(), top.clone(), top.clone()
    for _ in range(10):
        area = (rand() * 0.31 + 0.02) * h * w
        aspect = torch.exp(rand() * (math.log(1 / 0.3) - math.log(0.3)) + math.log(0.3))
        th, tw = torch.round(torch.sqrt(area * aspect)).long(), torch.round(torch.sqrt(area / aspect)).long()
        fits = todo & (th >= 1) & (tw >= 1) & (th <= h) & (tw <= w)
        tt = (rand() * (h - th + 1).clamp(min=1)).long()
        tl = (rand() * (w - tw + 1).clamp(min=1)).long()
        top, left = torch.where(fits, tt, top), torch.where(fits, tl, left)
        eh, ew = torch.where(fits, th, eh), torch.where(fits, tw, ew)
        todo = todo & ~fits
    ys = torch.arange(h, device=dev)[None, :, None]
    xs = torch.arange(w, device=dev)[None, None, :]
    m = ((ys >= top[:, None, None]) & (ys < (top + eh)[:, None, None]) & (xs >= left[:, None, None]) & (xs < (left + ew)[:, None, None]))[:, None].float()
    lo = x.amin(dim=(1, 2, 3), keepdim=True)
    hi = x.amax(dim=(1, 2, 3), keepdim=True)
    noise = lo + torch.rand(x.shape, device=dev, generator=gen) * (hi - lo)
    return x * (1 - m) + noise * m


def lr_at(schedule, base, step, total, per_epoch):
    if schedule.get('type') == 'cosine':
        warm = round(schedule.get('warmupEpochs', 0) * per_epoch)
        lo = schedule.get('minLr', 0)
        if step < warm:
            return base * (step + 1) / warm
        t = min(1, (step - warm) / max(1, total - warm))
        return lo + (base - lo) * 0.5 * (1 + math.cos(math.pi * t))
    return base


@torch.no_grad()
def evaluate(model, xs, ys, tta=False, k=7):
    model.eval()
    probs = []
    for i in range(0, len(xs), 512):
        x = xs[i:i + 512].float() / 255
        p = F.softmax(model(x), 1)
        if tta:
            p = (p + F.softmax(model(x.flip(3)), 1)) / 2
        probs.append(p)
    p = torch.cat(probs)
    loss = F.nll_loss(torch.log(p.clamp_min(1e-7)), ys).item()
    pred = p.argmax(1)
    conf = torch.zeros(k, k, dtype=torch.long, device=ys.device)
    conf.index_put_((ys, pred), torch.ones_like(ys), accumulate=True)
    conf = conf.cpu().numpy()
    tp = np.diag(conf).astype(float)
    recall = tp / np.maximum(conf.sum(1), 1)
    precision = tp / np.maximum(conf.sum(0), 1)
    f1 = np.where(recall + precision > 0, 2 * recall * precision / np.maximum(recall + precision, 1e-12), 0)
    return dict(accuracy=float(tp.sum() / conf.sum()), loss=loss, macroF1=float(f1.mean()),
                recall=recall.round(4).tolist(), precision=precision.round(4).tolist(), confusion=conf.tolist())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', help='the file of scripts/gpu/pack-dataset.ts, un-xz\'d (not needed with --export-only)')
    ap.add_argument('--config', required=True, help='JSON file or inline JSON, the format of configs/*.json')
    ap.add_argument('--out', required=True)
    ap.add_argument('--arch', default='cnnlstm', choices=['cnnlstm', 'resnet'])
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--limit', type=int, default=0, help='train on N images spread over the training set (smoke tests)')
    ap.add_argument('--deadline', type=float, default=0, help='unix time: stop after the epoch that passes it')
    ap.add_argument('--check', type=int, default=8, help='PublicTest images whose outputs go into the export, for the import check')
    ap.add_argument('--export-only', action='store_true',
                    help='no data, no training: export the seeded model with perturbed batch-norm statistics and biases, checked on '
                         'synthetic images (the fixtures of test/scripts/torch-export.test.ts)')
    args = ap.parse_args()
    cfg = json.loads(args.config) if args.config.strip().startswith('{') else json.load(open(args.config))
    o = model_options(cfg.get('model', {}))
    seed = cfg.get('seed', 42)
    torch.manual_seed(seed)
    if np is not None:
        np.random.seed(seed)
    torch.set_num_threads(1)
    torch.backends.cudnn.benchmark = True
    dev = torch.device(args.device)
    os.makedirs(args.out, exist_ok=True)
    if args.export_only:
        export_fixture(o, cfg, args)
        return
    if not args.data:
        ap.error('--data is required (except with --export-only)')
    data = load_data(args.data, dev)
    xtr, ytr = data['Training']
    if args.limit:
        pick = torch.linspace(0, len(xtr) - 1, args.limit, device=dev).long()  # every class, not the first folder
        xtr, ytr = xtr[pick], ytr[pick]
    xva, yva = data['PublicTest']
    model = (CnnLstm(o) if args.arch == 'cnnlstm' else ResNetRef(o)).to(dev)
    params = sum(p.numel() for p in model.parameters())
    epochs, bs = cfg.get('epochs', 50), cfg.get('batchSize', 64)
    base_lr = cfg.get('learningRate', 1e-3)
    schedule = cfg.get('schedule', {'type': 'constant'})
    smoothing = cfg.get('labelSmoothing', 0)
    mixup = cfg.get('mixup', 0) or 0
    aug = cfg.get('augment', {'rotation': 10, 'zoom': 0.1, 'flip': True})
    cw = cfg.get('classWeights')
    if cw == 'balanced':
        counts = torch.bincount(ytr, minlength=o['numClasses']).float()
        cw = (len(ytr) / (o['numClasses'] * counts)).tolist()
    cw_t = torch.tensor(cw, device=dev, dtype=torch.float32) if cw else None
    l2 = o.get('l2', 0)
    oc = cfg.get('optimizer', {'type': 'adam'})
    if oc.get('type') == 'sgd':
        # as tfjs' momentum optimizer (src/training/optimizer.ts): a = m·a + g; Nesterov: w -= lr·(g + m·a)
        opt = torch.optim.SGD(model.parameters(), lr=base_lr, momentum=oc.get('momentum', 0.9), nesterov=oc.get('nesterov', True))
    elif oc.get('type', 'adam') == 'adam':
        opt = torch.optim.Adam(model.parameters(), lr=base_lr, eps=1e-7)
    else:
        ap.error(f"optimizer type must be adam or sgd, got {oc.get('type')!r}")
    gen = torch.Generator(device=dev)
    gen.manual_seed(seed)
    per_epoch = math.ceil(len(xtr) / bs)
    total = epochs * per_epoch
    history, best, best_state, step = [], -1.0, None, 0
    print(json.dumps(dict(event='start', out=args.out, params=params, epochs=epochs, model=o)), flush=True)
    for epoch in range(epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(xtr), device=dev, generator=gen)
        loss_sum = torch.zeros((), device=dev)
        correct = torch.zeros((), device=dev)
        for b in range(per_epoch):
            idx = perm[b * bs:(b + 1) * bs]
            x = xtr[idx].float() / 255
            y = ytr[idx]
            if aug:
                x = augment(x, aug, gen)
            lam, partner = 1.0, None
            if mixup > 0:
                # as train({ mixup }) (src/training/loss.ts), over the whole batch: λ ~ Beta(α, α), a partner per image
                lam = float(torch.distributions.Beta(mixup, mixup).sample())
                partner = torch.randperm(len(y), device=dev, generator=gen)
                x = lam * x + (1 - lam) * x[partner]
            lr = lr_at(schedule, base_lr, step, total, per_epoch)
            for g in opt.param_groups:
                g['lr'] = lr
            logits = model(x)
            ce = lambda t: F.cross_entropy(logits, t, reduction='none', label_smoothing=smoothing) * (cw_t[t] if cw_t is not None else 1)
            per = ce(y) if partner is None else lam * ce(y) + (1 - lam) * ce(y[partner])
            loss = per.mean()
            if l2 > 0:
                loss = loss + l2 * sum((k ** 2).sum() for k in model.l2_kernels())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.detach() * len(y)
            correct += (logits.argmax(1) == (y if partner is None or lam >= 0.5 else y[partner])).sum()
            step += 1
        if not math.isfinite(loss_sum.item()):
            print(json.dumps(dict(event='nan', epoch=epoch + 1)), flush=True)
            break
        secs = time.time() - t0
        ev = evaluate(model, xva, yva, k=o['numClasses'])
        log = dict(epoch=epoch + 1, loss=loss_sum.item() / len(xtr), accuracy=correct.item() / len(xtr), valLoss=ev['loss'],
                   valAccuracy=ev['accuracy'], valMacroF1=ev['macroF1'], learningRate=lr, seconds=secs, imagesPerSecond=len(xtr) / secs)
        history.append(log)
        if ev['accuracy'] > best:
            best, best_state = ev['accuracy'], copy.deepcopy(model.state_dict())
        print(json.dumps(dict(event='epoch', out=args.out, **log)), flush=True)
        json.dump(dict(history=history, params=params), open(os.path.join(args.out, 'history.json'), 'w'))
        if args.deadline and time.time() > args.deadline and epoch + 1 < epochs:
            print(json.dumps(dict(event='deadline', epoch=epoch + 1)), flush=True)
            break
    if best_state is None:
        return
    model.load_state_dict(best_state)
    best_epoch = max(history, key=lambda h: h['valAccuracy'])['epoch']
    final = evaluate(model, xva, yva, k=o['numClasses'])
    tta = evaluate(model, xva, yva, tta=True, k=o['numClasses'])['accuracy']
    result = dict(config=cfg, arch=args.arch, params=params, epochsRun=len(history), epochs=epochs, bestEpoch=best_epoch,
                  publicTest=final, flipTta=tta, trainSeconds=sum(h['seconds'] for h in history), history=history)
    json.dump(result, open(os.path.join(args.out, 'result.json'), 'w'))
    if args.arch == 'cnnlstm':
        cpu_model = copy.deepcopy(model).cpu().eval()  # float32 on the CPU: no TF32 in the reference outputs
        with torch.no_grad():
            xs = xva[:args.check].cpu()
            check = dict(images=base64.b64encode(bytes(xs.flatten().tolist())).decode(),
                         probabilities=F.softmax(cpu_model(xs.float() / 255), 1).tolist())
        json.dump(dict(format=EXPORT_FORMAT, model=o, config=cfg, bestEpoch=best_epoch, publicTest=final['accuracy'],
                       layers=model.export(), check=check), open(os.path.join(args.out, 'weights.json'), 'w'))
    print(json.dumps(dict(event='done', out=args.out, bestEpoch=best_epoch, publicTest=final['accuracy'], macroF1=final['macroF1'],
                          flipTta=tta)), flush=True)


def export_fixture(o, cfg, args):
    model = CnnLstm(o)
    g = torch.Generator().manual_seed(cfg.get('seed', 42))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.3)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.2)
        for name, p in model.named_parameters():
            if name.endswith('bias') and p.dim() == 1:
                p.add_(torch.randn(p.shape, generator=g) * 0.2)
    model.eval()
    s = o['inputSize']
    noise = torch.rand(args.check, 1, s, s, generator=g)
    smooth = F.avg_pool2d(noise, 3, 1, 1, count_include_pad=False)  # some spatial structure, not pure noise
    images = (smooth * 255).round().clamp(0, 255).to(torch.uint8)
    with torch.no_grad():
        probs = F.softmax(model(images.float() / 255), 1).tolist()
    check = dict(images=base64.b64encode(bytes(images.flatten().tolist())).decode(), probabilities=probs)
    json.dump(dict(format=EXPORT_FORMAT, model=o, config=cfg, bestEpoch=0, publicTest=0,
                   layers=model.export(), check=check), open(os.path.join(args.out, 'weights.json'), 'w'))

if __name__ == '__main__':
    main()
