"""Landmark probe, step 3: linear (L-BFGS softmax regression) / MLP probe on FaceMesh geometry from
mesh.ts. Model selection (pad, features, lam, MLP size) on a seeded 10% stratified hold-out of FER-2013
train; PublicTest printed beside it; CK+ only predicted by `final`, never used for a choice.
Needs numpy and scipy: python3 -m pip install numpy scipy (or Debian python3-numpy python3-scipy).
usage (from the repository root; output folder --out DIR, else $LANDMARK_PROBE_OUT, else runs/landmark-probe):
  python3 scripts/probes/landmarks/probe.py sweep [PADS=1.25] [FEATS=xy,xyz,dist,xy+dist] [LAMS=1e-4,1e-3,1e-2]
      -> LR hold-out (and PublicTest) accuracy of each (pad, features, lam); reads mesh_{train,test}_p<pad>
  python3 scripts/probes/landmarks/probe.py mlp PAD FEAT H EPOCHS
      -> the same for an MLP (H hidden units, EPOCHS epochs)
  python3 scripts/probes/landmarks/probe.py final PAD FEAT lr LAM
  python3 scripts/probes/landmarks/probe.py final PAD FEAT mlp H EPOCHS
      -> refit on all of train, write probabilities geo_{test,ckplus}.{bin,json} for fuse.py
FEAT: '+'-joined of xy, xyz, dist (pairwise distances of key points), pose (face score, roll, eye distance)."""
import sys, time, json, numpy as np
from scipy.optimize import minimize
from feats import load, features, out_dir

def holdout(labels, frac=0.1, seed=0):
    rng = np.random.default_rng(seed)
    val = np.zeros(len(labels), bool)
    for c in range(7):
        idx = np.flatnonzero(labels == c); rng.shuffle(idx); val[idx[:int(round(frac * len(idx)))]] = True
    return val

def softmax(z):
    z = z - z.max(1, keepdims=True); e = np.exp(z); return e / e.sum(1, keepdims=True)

def fit_lr(X, y, lam, iters=500):
    n, d = X.shape; Y = np.eye(7)[y]
    def f(w):
        W = w[:d * 7].reshape(d, 7); b = w[d * 7:]
        P = softmax(X @ W + b)
        loss = -np.mean(np.log(P[np.arange(n), y] + 1e-12)) + 0.5 * lam * np.sum(W * W)
        G = (P - Y) / n
        return loss, np.concatenate([(X.T @ G + lam * W).ravel(), G.sum(0)])
    r = minimize(f, np.zeros(d * 7 + 7), jac=True, method='L-BFGS-B', options={'maxiter': iters})
    W = r.x[:d * 7].reshape(d, 7); b = r.x[d * 7:]
    return lambda Z: softmax(Z @ W + b)

def fit_mlp(X, y, H=256, epochs=40, lr=1e-3, wd=1e-4, drop=0.3, seed=0):
    rng = np.random.default_rng(seed); n, d = X.shape
    P = {'W1': rng.normal(0, np.sqrt(2 / d), (d, H)), 'b1': np.zeros(H), 'W2': rng.normal(0, np.sqrt(1 / H), (H, 7)), 'b2': np.zeros(7)}
    M = {k: np.zeros_like(v) for k, v in P.items()}; V = {k: np.zeros_like(v) for k, v in P.items()}; t = 0
    for ep in range(epochs):
        perm = rng.permutation(n)
        for s in range(0, n, 128):
            i = perm[s:s + 128]; xb = X[i]; yb = y[i]
            h = np.maximum(xb @ P['W1'] + P['b1'], 0); mask = (rng.random(h.shape) > drop) / (1 - drop); hd = h * mask
            p = softmax(hd @ P['W2'] + P['b2']); g = p; g[np.arange(len(i)), yb] -= 1; g /= len(i)
            G = {'W2': hd.T @ g, 'b2': g.sum(0)}; gh = (g @ P['W2'].T) * mask * (h > 0)
            G['W1'] = xb.T @ gh; G['b1'] = gh.sum(0); t += 1
            cur = lr * 0.5 * (1 + np.cos(np.pi * ep / epochs))
            for k in P:
                if k.startswith('W'): G[k] = G[k] + wd * P[k]
                M[k] = 0.9 * M[k] + 0.1 * G[k]; V[k] = 0.999 * V[k] + 0.001 * G[k] ** 2
                P[k] -= cur * (M[k] / (1 - 0.9 ** t)) / (np.sqrt(V[k] / (1 - 0.999 ** t)) + 1e-8)
    return lambda Z: softmax(np.maximum(Z @ P['W1'] + P['b1'], 0) @ P['W2'] + P['b2'])

def prep(out, pad, feat, sets=('train', 'test', 'ckplus')):
    D = {s: load(out, s, pad) for s in sets}
    F = {s: features(D[s][0], D[s][1], feat) for s in D}
    return D, F

def standardise(Xtr, *others):
    mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
    return [(Xtr - mu) / sd] + [(o - mu) / sd for o in others]

if __name__ == '__main__':
    argv = sys.argv[1:]; OUT = out_dir(argv)
    mode = argv[0] if argv else ''
    if mode == 'sweep':
        pads = argv[1].split(',') if len(argv) > 1 else ['1.25']
        feats = argv[2].split(',') if len(argv) > 2 else ['xy', 'xyz', 'dist', 'xy+dist']
        lams = [float(v) for v in argv[3].split(',')] if len(argv) > 3 else [1e-4, 1e-3, 1e-2]
        for pad in pads:
            for feat in feats:
                D, F = prep(OUT, pad, feat, ('train', 'test')); y = D['train'][2]; val = holdout(y)
                Xtr, Xva, Xte = standardise(F['train'][~val], F['train'][val], F['test'])
                for lam in lams:
                    t0 = time.time(); pr = fit_lr(Xtr, y[~val], lam)
                    va = (pr(Xva).argmax(1) == y[val]).mean(); te = (pr(Xte).argmax(1) == D['test'][2]).mean()
                    print(f'LR pad={pad} feat={feat} d={Xtr.shape[1]} lam={lam:g}: val {100*va:.2f}  (PublicTest {100*te:.2f})  {time.time()-t0:.0f}s', flush=True)
    elif mode == 'mlp' and len(argv) == 5:
        pad, feat, H, E = argv[1], argv[2], int(argv[3]), int(argv[4])
        D, F = prep(OUT, pad, feat, ('train', 'test')); y = D['train'][2]; val = holdout(y)
        Xtr, Xva, Xte = standardise(F['train'][~val], F['train'][val], F['test'])
        t0 = time.time(); pr = fit_mlp(Xtr, y[~val], H, E)
        print(f'MLP pad={pad} feat={feat} H={H} E={E}: val {100*(pr(Xva).argmax(1)==y[val]).mean():.2f} (PublicTest {100*(pr(Xte).argmax(1)==D["test"][2]).mean():.2f}) {time.time()-t0:.0f}s', flush=True)
    elif mode == 'final' and ((len(argv) == 5 and argv[3] == 'lr') or (len(argv) == 6 and argv[3] == 'mlp')):
        pad, feat, kind = argv[1], argv[2], argv[3]
        D, F = prep(OUT, pad, feat); y = D['train'][2]
        Xtr, Xte, Xck = standardise(F['train'], F['test'], F['ckplus'])
        pr = fit_lr(Xtr, y, float(argv[4])) if kind == 'lr' else fit_mlp(Xtr, y, int(argv[4]), int(argv[5]))
        for s, X in (('test', Xte), ('ckplus', Xck)):
            p = pr(X).astype(np.float32); p.tofile(f'{OUT}/geo_{s}.bin')
            json.dump({'pad': pad, 'feat': feat, 'clf': argv[3:], 'names': D[s][3]}, open(f'{OUT}/geo_{s}.json', 'w'))
            print(f'final {s}: acc {100*(p.argmax(1)==D[s][2]).mean():.2f} (n={len(p)})')
    else:
        sys.exit(__doc__)
