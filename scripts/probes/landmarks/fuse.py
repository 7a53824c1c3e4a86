"""Landmark probe, step 4: fusion of CNN and geometry probabilities: log p = log p_cnn + w log p_geo, w chosen
on PublicTest accuracy. Uniform prior: subtract (1+w)*log(train freq) (the fused score is a product of two
posteriors that each carry the FER train prior); 'uniform1' divides once. Nothing is chosen on CK+.
The train class frequencies are counted from the labels of mesh_train_p<pad>.json (pad of the geo files).
Needs numpy: python3 -m pip install numpy (or Debian python3-numpy).
usage (from the repository root): python3 scripts/probes/landmarks/fuse.py [geo_prefix=geo] [--out DIR]
Reads cnn_{default,accurate}_{test,ckplus}, <geo_prefix>_{test,ckplus} and mesh_train_p<pad>.json from
the output folder: --out DIR, else $LANDMARK_PROBE_OUT, else runs/landmark-probe."""
import sys, json, numpy as np
from feats import need, out_dir, pad_tag
argv = sys.argv[1:]; OUT = out_dir(argv)
E = ['Angry', 'Disgust', 'Fear', 'Happy', 'Sad', 'Surprise', 'Neutral']
gp = argv[0] if argv else 'geo'

def ld(prefix, s, hint):
    need(f'{OUT}/{prefix}_{s}.json', hint)
    m = json.load(open(f'{OUT}/{prefix}_{s}.json'))
    return np.fromfile(f'{OUT}/{prefix}_{s}.bin', dtype=np.float32).reshape(-1, 7).astype(float), m

lab = {}; P = {}; pads = set()
for s in ('test', 'ckplus'):
    for v in ('default', 'accurate'):
        p, m = ld(f'cnn_{v}', s, f'npx tsx scripts/probes/landmarks/cnn.ts --variant {v} --out {OUT} test ckplus')
        P[(v, s)] = np.log(p + 1e-7); lab[s] = np.array(m['labels']); names = m['names']
    g, gm = ld(gp, s, f'python3 scripts/probes/landmarks/probe.py final PAD FEAT ... --out {OUT}'); assert gm['names'] == names, 'image order differs'
    P[('geo', s)] = np.log(g + 1e-7); pads.add(pad_tag(gm['pad']))
assert len(pads) == 1, 'geo test and ckplus files are of different pads'
train_json = f'{OUT}/mesh_train_p{pads.pop()}.json'
need(train_json, 'npx tsx scripts/probes/landmarks/mesh.ts --set train ...')
FREQ = np.bincount(json.load(open(train_json))['labels'], minlength=7).astype(float); LOGPI = np.log(FREQ / FREQ.sum())
print(f'FER-2013 train class counts ({train_json}): {FREQ.astype(int).tolist()}')

acc = lambda z, s: 100 * (z.argmax(1) == lab[s]).mean()
def bal(z, s):
    pr = z.argmax(1); return 100 * np.mean([(pr[lab[s] == c] == c).mean() for c in range(7) if (lab[s] == c).any()])

rows = []
def row(name, zt, zc, k):
    rows.append((name, acc(zt, 'test'), acc(zc, 'ckplus'), acc(zt - k * LOGPI, 'test'), acc(zc - k * LOGPI, 'ckplus'), bal(zt - k * LOGPI, 'test')))
row('geometry alone', P[('geo', 'test')], P[('geo', 'ckplus')], 1)
ws = np.round(np.arange(0, 3.001, 0.05), 2)
best = {}
for v in ('default', 'accurate'):
    row(f'CNN {v} alone', P[(v, 'test')], P[(v, 'ckplus')], 1)
    f = lambda w, s: P[(v, s)] + w * P[('geo', s)]
    accs = [acc(f(w, 'test'), 'test') for w in ws]
    w = ws[int(np.argmax(accs))]; best[v] = w
    print(f'{v}: PublicTest acc vs w: ' + ' '.join(f'{x:g}:{a:.2f}' for x, a in zip(ws[::4], accs[::4])) + f'  -> w={w:g}')
    row(f'fused {v} (w={w:g})', f(w, 'test'), f(w, 'ckplus'), 1 + w)
    # uniform-prior variant with w chosen on PublicTest balanced accuracy (still FER-only)
    bw = ws[int(np.argmax([bal(f(x, 'test') - (1 + x) * LOGPI, 'test') for x in ws]))]
    row(f'fused {v} (w={bw:g}, w on PT balanced acc)', f(bw, 'test'), f(bw, 'ckplus'), 1 + bw)
    rows.append((f'  fused {v} w={w:g}, uniform1 (divide once)', np.nan, np.nan, acc(f(w, 'test') - LOGPI, 'test'), acc(f(w, 'ckplus') - LOGPI, 'ckplus'), bal(f(w, 'test') - LOGPI, 'test')))

print(f"\n| configuration | PublicTest (train prior) | CK+ (train prior) | PublicTest (uniform prior) | CK+ (uniform prior) | PublicTest balanced acc (uniform) |\n|---|---|---|---|---|---|")
for r in rows: print(f'| {r[0]} | ' + ' | '.join('' if np.isnan(x) else f'{x:.2f}' for x in r[1:]) + ' |')

def conf(z, s):
    pr = z.argmax(1); C = np.zeros((7, 7), int)
    for a, b in zip(lab[s], pr): C[a, b] += 1
    return C
for v in ('default', 'accurate'):
    w = best[v]
    for k, nm in ((1 + w, 'uniform prior'), (0, 'training prior')):
        C = conf(P[(v, 'ckplus')] + w * P[('geo', 'ckplus')] - k * LOGPI, 'ckplus')
        print(f'\nCK+ confusion, fused {v} w={w:g}, {nm} (rows true, cols predicted {"/".join(e[:3] for e in E)}):')
        for c in range(6): print(f'  {E[c]:9s} ' + ' '.join(f'{x:4d}' for x in C[c]) + f'   recall {100*C[c,c]/C[c].sum():.1f}')
