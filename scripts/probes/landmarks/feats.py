"""Landmark probe: loading of mesh.ts's landmarks, per-face normalisation and feature sets (shared by
probe.py and fuse.py). Needs numpy (probe.py also scipy):
    python3 -m pip install numpy scipy     (or Debian: apt-get install python3-numpy python3-scipy)
Output folder of the probe: `--out DIR`, else $LANDMARK_PROBE_OUT, else runs/landmark-probe (relative to
the repository root, where the scripts are run from). See README.md."""
import json, os, sys, numpy as np
DEFAULT_OUT = 'runs/landmark-probe'
R_EYE = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246]
L_EYE = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466]
R_BROW = [70, 63, 105, 66, 107, 55, 65, 52, 53, 46]
L_BROW = [300, 293, 334, 296, 336, 285, 295, 282, 283, 276]
LIPS_OUT = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185]
LIPS_IN = [78, 88, 87, 14, 317, 318, 308, 310, 312, 13, 82, 80]
NOSE = [1, 4, 6, 168, 98, 327, 2, 49, 279]
OVAL = [152, 10, 234, 454, 172, 397, 150, 379]
CHEEK = [50, 280, 205, 425]
EYES8 = [33, 133, 159, 145, 362, 263, 386, 374]
KEY = sorted(set(EYES8 + R_BROW + L_BROW + LIPS_OUT + LIPS_IN + NOSE + OVAL + CHEEK))

def out_dir(argv):
    """Removes `--out DIR` / `--out=DIR` from argv (in place) and returns the output folder."""
    out = os.environ.get('LANDMARK_PROBE_OUT') or DEFAULT_OUT
    for i, a in enumerate(argv):
        if a == '--out' and i + 1 < len(argv):
            out = argv[i + 1]; del argv[i:i + 2]; break
        if a.startswith('--out='):
            out = a[len('--out='):]; del argv[i]; break
    return out

def pad_tag(pad):
    """The pad as mesh.ts writes it in file names (JavaScript's Number → string): '1', '1.25', '1.5'."""
    return f'{float(pad):g}'

def need(path, hint):
    if not os.path.exists(path):
        sys.exit(f'landmark probe: {path} is missing; first run: {hint}')

def load(out, s, pad):
    base = f'{out}/mesh_{s}_p{pad_tag(pad)}'
    need(base + '.json', f'npx tsx scripts/probes/landmarks/mesh.ts --set {s} --pad {pad_tag(pad)} --out {out}')
    meta = json.load(open(base + '.json'))
    lm = np.fromfile(base + '.lm.bin', dtype=np.float32).reshape(-1, 468, 3).astype(np.float64)
    sc = np.fromfile(base + '.score.bin', dtype=np.float32).astype(np.float64)
    return lm, sc, np.array(meta['labels']), meta['names']

def normalise(lm):
    re, le = lm[:, R_EYE].mean(1), lm[:, L_EYE].mean(1)
    mid = (re + le) / 2
    v = le - re
    iod = np.linalg.norm(v[:, :2], axis=1) + 1e-9
    ang = np.arctan2(v[:, 1], v[:, 0])
    c, s = np.cos(-ang), np.sin(-ang)
    p = lm - mid[:, None, :]
    x = c[:, None] * p[..., 0] - s[:, None] * p[..., 1]
    y = s[:, None] * p[..., 0] + c[:, None] * p[..., 1]
    z = p[..., 2]
    return np.stack([x, y, z], -1) / iod[:, None, None], iod, ang

def features(lm, sc, kind):
    n, iod, ang = normalise(lm)
    parts = []
    if 'xy' in kind.split('+') or 'xyz' in kind.split('+'):
        parts.append((n[..., :3] if 'xyz' in kind.split('+') else n[..., :2]).reshape(len(n), -1))
    if 'dist' in kind.split('+'):
        k = n[:, KEY, :2]
        iu = np.triu_indices(len(KEY), 1)
        d = np.linalg.norm(k[:, :, None, :] - k[:, None, :, :], axis=-1)[:, iu[0], iu[1]]
        parts.append(d)
    if 'pose' in kind.split('+'):
        parts.append(np.stack([sc, ang, iod], 1))
    return np.concatenate(parts, 1)
