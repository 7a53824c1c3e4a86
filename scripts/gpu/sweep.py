"""
Runs a sweep of scripts/gpu/train_torch.py trainings at once on one GPU (each its own process, under
CUDA MPS when the machine allows it), stops them at a deadline (each exports its best epoch so far),
and gathers the results into $OUT: results.json (every run's result and history), sweep.log, and the
exported weights of the best CNN-LSTM runs in weights-N.tar.xz archives.

    python3 scripts/gpu/sweep.py --sweep configs/sweeps/gpu-1.json --data .gpu/fer2013.bin.xz --out "$OUT" --seconds 300

A sweep file has a `base` config (the format of configs/*.json) and `runs`, each a name, an optional
`arch` and the keys it changes (`model` keys are merged into the base model). The model keys are
buildCnnLstm's (0.2); a run that names one 0.2 removed (blurSigma, blurOnlyAtInference, downsample) or an
unknown one is refused before anything starts.
"""
import argparse, copy, json, lzma, os, shutil, subprocess, sys, tarfile, time

ap = argparse.ArgumentParser()
ap.add_argument('--sweep', required=True)
ap.add_argument('--data', required=True)
ap.add_argument('--out', required=True)
ap.add_argument('--seconds', type=float, default=300, help='training deadline after the start; runs then finish their epoch and export')
ap.add_argument('--grace', type=float, default=60, help='seconds after the deadline before unfinished runs are killed')
ap.add_argument('--only', default='', help='comma-separated run names')
ap.add_argument('--limit', type=int, default=0)
ap.add_argument('--no-mps', action='store_true')
args = ap.parse_args()
t0 = time.time()
here = os.path.dirname(os.path.abspath(__file__))
work = '/tmp/fer-sweep'
os.makedirs(work, exist_ok=True)
os.makedirs(args.out, exist_ok=True)
log = open(os.path.join(args.out, 'sweep.log'), 'w')
def say(*a):
    msg = ' '.join(str(x) for x in a)
    print(msg, flush=True)
    log.write(msg + '\n'); log.flush()

data = args.data
if data.endswith('.xz'):
    data = os.path.join(work, 'fer2013.bin')
    with lzma.open(args.data) as src, open(data, 'wb') as dst:
        shutil.copyfileobj(src, dst, 1 << 24)
say(f'data ready in {time.time() - t0:.1f}s')

env = dict(os.environ)
if not args.no_mps and shutil.which('nvidia-cuda-mps-control'):
    env['CUDA_MPS_PIPE_DIRECTORY'] = '/tmp/mps-pipe'
    env['CUDA_MPS_LOG_DIRECTORY'] = '/tmp/mps-log'
    os.makedirs('/tmp/mps-pipe', exist_ok=True); os.makedirs('/tmp/mps-log', exist_ok=True)
    started = subprocess.run(['nvidia-cuda-mps-control', '-d'], env=env, capture_output=True, text=True)
    ok = started.returncode == 0 or 'already running' in started.stdout + started.stderr
    if ok:
        try:
            r = subprocess.run([sys.executable, '-c', 'import torch; x = torch.ones(4, device="cuda"); print(float(x.sum()))'], env=env, timeout=45, capture_output=True, text=True)
            ok = r.returncode == 0 and r.stdout.strip() == '4.0'
        except subprocess.TimeoutExpired:
            ok = False
    if not ok:
        subprocess.run(['nvidia-cuda-mps-control'], input='quit\n', text=True, env=env)
        for k in ['CUDA_MPS_PIPE_DIRECTORY', 'CUDA_MPS_LOG_DIRECTORY']:
            env.pop(k)
    say('MPS', 'on' if ok else 'off')

sweep = json.load(open(args.sweep))
only = set(filter(None, args.only.split(',')))
runs = []
for r in sweep['runs']:
    if only and r['name'] not in only:
        continue
    cfg = copy.deepcopy(sweep['base'])
    for k, v in r.items():
        if k in ('name', 'arch'):
            continue
        if k == 'model':
            cfg['model'] = {**cfg.get('model', {}), **v}
        else:
            cfg[k] = v
    runs.append((r['name'], r.get('arch', 'cnnlstm'), cfg))

sys.path.insert(0, here)
from train_torch import model_options  # noqa: E402  (imports torch: the sweep runs where train_torch.py runs)
for name, _, cfg in runs:
    try:
        model_options(cfg.get('model', {}))
    except SystemExit as e:
        raise SystemExit(f'{args.sweep}, run {name}: {e}')

deadline = time.time() + args.seconds
procs = {}
for name, arch, cfg in runs:
    out = os.path.join(work, name)
    shutil.rmtree(out, ignore_errors=True)  # no stale history from an earlier sweep on the same machine
    cmd = [sys.executable, os.path.join(here, 'train_torch.py'), '--data', data, '--config', json.dumps(cfg), '--out', out,
           '--arch', arch, '--deadline', str(deadline)] + (['--limit', str(args.limit)] if args.limit else [])
    procs[name] = (subprocess.Popen(cmd, stdout=open(out + '.log', 'w'), stderr=subprocess.STDOUT, env=env), out)
say(f'started {len(procs)} runs at {time.time() - t0:.1f}s')

last = 0
while any(p.poll() is None for p, _ in procs.values()):
    time.sleep(5)
    if time.time() - last > 30:
        last = time.time()
        status = []
        for name, (p, out) in procs.items():
            try:
                h = json.load(open(os.path.join(out, 'history.json')))['history']
                status.append(f"{name}:{len(h)}ep/{h[-1]['valAccuracy'] * 100:.1f}%/{h[-1]['seconds']:.1f}s")
            except Exception:
                status.append(f'{name}:-' + ('' if p.poll() is None else f'(rc {p.returncode})'))
        say(f't={time.time() - t0:.0f}s', ' '.join(status))
    if time.time() > deadline + args.grace:
        for p, _ in procs.values():
            if p.poll() is None:
                p.kill()
        break

results = {}
for name, (p, out) in procs.items():
    p.wait()
    try:
        results[name] = json.load(open(os.path.join(out, 'result.json')))
    except Exception:
        tail = open(out + '.log').read()[-1500:]
        results[name] = {'error': f'rc {p.returncode}', 'logTail': tail}
        say(f'--- {name} failed (rc {p.returncode}):\n{tail}')
json.dump(results, open(os.path.join(args.out, 'results.json'), 'w'))
rank = sorted([n for n in results if 'publicTest' in results[n]], key=lambda n: -results[n]['publicTest']['accuracy'])
for n in rank:
    r = results[n]
    say(f"{n:20s} {r['publicTest']['accuracy'] * 100:6.2f}%  F1 {r['publicTest']['macroF1']:.3f}  tta {r['flipTta'] * 100:.2f}%  best ep {r['bestEpoch']}/{r['epochsRun']}  "
        f"params {r['params']}  {r['trainSeconds']:.0f}s")

# weights of the best CNN-LSTM runs, in at most 6 archives of <= 15 MB
budget, archive, size, n_arch = 56e6, None, 0, 0
for n in rank:
    w = os.path.join(work, n, 'weights.json')
    if not os.path.exists(w):
        continue
    packed = os.path.join(work, n + '.json.xz')
    with open(w, 'rb') as src, lzma.open(packed, 'wb', preset=6) as dst:
        shutil.copyfileobj(src, dst)
    s = os.path.getsize(packed)
    if budget - s < 0:
        break
    if archive is None or size + s > 15e6:
        if n_arch == 6:
            break
        if archive:
            archive.close()
        n_arch += 1
        archive, size = tarfile.open(os.path.join(args.out, f'weights-{n_arch}.tar'), 'w'), 0
    archive.add(packed, arcname=n + '.json.xz')
    size += s
    budget -= s
if archive:
    archive.close()
say(f'done in {time.time() - t0:.0f}s')
