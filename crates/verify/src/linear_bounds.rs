//! Linear-relaxation bound propagation (DeepPoly / CROWN): every unstable
//! ReLU is replaced by two lines that enclose it over its input bounds
//! `[l, u]` — above by the chord `u (x − l) / (u − l)`, below by `α x` with
//! `α ∈ {0, 1}` (1 when `u ≥ −l`: the adaptive choice of CROWN) — and a
//! linear function of any value of the network is carried back through
//! these lines and the affine maps to a linear function of the input box
//! ("back-substitution"), where its minimum is read off exactly. This is
//! much tighter than interval arithmetic on deep or wide boxes, because the
//! dependencies between neurons are kept instead of being bounded apart.
//!
//! Intermediate bounds are computed layer by layer (each ReLU's input from
//! the bounds of the ReLUs before it) and intersected with the interval
//! bounds, so they are never looser. Back-substitution stops at a max
//! pooling: its outputs are then treated as a box of their own (their
//! interval bounds), which is sound, only less tight.
//!
//! **Rounding.** Every bound is computed in f64. Beside each coefficient the
//! same back-substitution carries its *magnitude* (the same sums over
//! absolute values), so the rounding error of the whole computation is at
//! most a small multiple of `2⁻⁵³` times that magnitude; each bound is moved
//! outward by [`LINEAR_ROUNDING`] times it. The relaxation's lines are
//! themselves computed in f64 (the chord's slope), which this covers too:
//! a slope off by one rounding moves the line by at most that rounding
//! times the magnitude of its term.

use crate::bounds::{propagate_from, Bounds, Interval};
use mipnet_network::{Op, ReluNet};

/// Relative room for f64 rounding in back-substitution: every bound is moved
/// outward by this much times the magnitude of the sums that computed it
/// (the same sums over absolute values). The error of such a sum of `n`
/// products is below `n·2⁻⁵³ ≈ n·1.1e-16` of that magnitude per layer;
/// 1e-9 leaves room for chains of about 10⁷ terms, far beyond the networks
/// verified here.
pub const LINEAR_ROUNDING: f64 = 1e-9;

/// A linear function being carried back through the network: `Σ a·v + c`
/// over the values `v` of one layer, with the magnitudes `Σ |a|·|v|`-style
/// sums beside it for the rounding margin.
struct Carried {
    a: Vec<f64>,
    mag: Vec<f64>,
    c: f64,
    cmag: f64,
}

impl Carried {
    fn new(row: Vec<f64>) -> Carried {
        let mag = row.iter().map(|v| v.abs()).collect();
        Carried {
            a: row,
            mag,
            c: 0.0,
            cmag: 0.0,
        }
    }

    /// Through operation `op` whose input bounds are `pre` (used for ReLU):
    /// the function over `op`'s output becomes one over its input.
    /// `slopes`, when given, are the lower lines' slopes of a ReLU
    /// operation's neurons (clamped into `[0, 1]`, where every slope gives
    /// a sound lower line); otherwise CROWN's adaptive choice.
    fn back_through(&mut self, op: &Op, pre: &Interval, inputs: usize, slopes: Option<&[f64]>) {
        match op {
            Op::Normalize { sub, div } => {
                for i in 0..self.a.len() {
                    let (a, m) = (self.a[i], self.mag[i]);
                    self.c -= a * sub[i] / div[i];
                    self.cmag += m * (sub[i] / div[i]).abs();
                    self.a[i] = a / div[i];
                    self.mag[i] = m / div[i].abs();
                }
            }
            Op::Affine(aff) => {
                let mut a = vec![0.0; inputs];
                let mut mag = vec![0.0; inputs];
                for (i, row) in aff.rows.iter().enumerate() {
                    let (ai, mi) = (self.a[i], self.mag[i]);
                    if mi == 0.0 {
                        continue;
                    }
                    self.c += ai * aff.bias[i];
                    self.cmag += mi * aff.bias[i].abs();
                    for &(j, w) in row {
                        a[j] += ai * w;
                        mag[j] += mi * w.abs();
                    }
                }
                self.a = a;
                self.mag = mag;
            }
            Op::Relu => relu_back(&mut self.a, &mut self.mag, (&mut self.c, &mut self.cmag), pre, slopes),
            Op::MaxPool { .. } => unreachable!("back-substitution stops at a max pooling"),
        }
    }

    /// The proven minimum over the box `b` of the function, moved outward
    /// by the rounding margin.
    fn lowest(&self, b: &Interval) -> f64 {
        let mut value = self.c;
        let mut magnitude = self.cmag + self.c.abs();
        for (i, (&a, &m)) in self.a.iter().zip(&self.mag).enumerate() {
            let (lo, hi) = (b.lower[i], b.upper[i]);
            value += if a >= 0.0 { a * lo } else { a * hi };
            magnitude += m * lo.abs().max(hi.abs());
        }
        value - LINEAR_ROUNDING * (1.0 + magnitude)
    }
}

/// A function `Σ a·y + c` over a ReLU layer's outputs `y` (with its
/// magnitudes) rewritten over the layer's inputs, whose bounds are `pre`,
/// through each ReLU's lower or upper line (see [`Carried::back_through`]).
fn relu_back(a: &mut [f64], mag: &mut [f64], (c, cmag): (&mut f64, &mut f64), pre: &Interval, slopes: Option<&[f64]>) {
    for i in 0..a.len() {
        let (l, u) = (pre.lower[i], pre.upper[i]);
        let (ai, m) = (a[i], mag[i]);
        if u <= 0.0 {
            a[i] = 0.0;
            mag[i] = 0.0;
        } else if l >= 0.0 || ai == 0.0 {
            // Identity (or nothing to carry).
        } else if ai > 0.0 {
            // Lower line α·x, α ∈ [0, 1].
            let adaptive = if u >= -l { 1.0 } else { 0.0 };
            let alpha = slopes.map_or(adaptive, |s| s[i].clamp(0.0, 1.0));
            a[i] = ai * alpha;
            mag[i] = m * alpha;
        } else {
            // Upper line s·(x − l): a·y ≥ a·s·x − a·s·l for a < 0.
            let s = u / (u - l);
            a[i] = ai * s;
            mag[i] = m * s;
            *c -= ai * s * l;
            *cmag += m * s * l.abs();
        }
    }
}

/// A proven lower bound of a linear function of the network, and its
/// coefficients on the inputs when the back-substitution reached them
/// (what input splitting reads the bound's sensitivity from).
#[derive(Clone, Debug, PartialEq)]
pub struct LinearLower {
    pub lower: f64,
    pub input_coefs: Option<Vec<f64>>,
}

/// Proven lower bounds over the box of `bounds.input` of
/// `row·v + input_row·x` for each `(row, input_row)`: `v` the values after
/// the first `upto` operations (`row` has their length), `x` the input
/// (`input_row` empty, or one coefficient per input). Uses `bounds` for
/// every ReLU's relaxation: they must be proven bounds.
pub fn lower_bounds(net: &ReluNet, bounds: &Bounds, upto: usize, rows: &[(Vec<f64>, Vec<f64>)]) -> Vec<LinearLower> {
    let dense = DenseAffines::of(net, upto);
    back_substitute(net, bounds, upto, rows, None, &dense)
}

/// The length of the input and of every operation's output.
fn value_lens(net: &ReluNet) -> Vec<usize> {
    let mut lens = vec![net.inputs];
    for op in &net.ops {
        lens.push(op.output_len(*lens.last().unwrap()));
    }
    lens
}

/// Lower lines' slopes for back-substitution: `slopes[k][i]` for neuron
/// `i` of ReLU operation `k` (other operations' entries are not read).
pub type Slopes = Vec<Vec<f64>>;

/// Rounds of [`optimized_lower_bounds`]: each costs one back-substitution
/// of the row; measured on ACAS Xu, the bound stops improving after two or
/// three.
pub const SLOPE_ROUNDS: usize = 3;

/// [`lower_bounds`] of the network's outputs (`upto` = every operation),
/// with the lower lines' slopes chosen per row (α-CROWN's optimizable
/// slopes, chosen here by the activation pattern rather than gradient
/// steps): from the box corner where the row's bound is attained, each
/// unstable ReLU gets slope 1 if its input is positive there, 0 otherwise;
/// repeated at the new bound's corner while the bound improves, for
/// [`SLOPE_ROUNDS`] rounds. Every slope in `[0, 1]` gives a sound lower
/// line, so each round's bound is a proven bound and the largest is kept:
/// never looser than [`lower_bounds`].
pub fn optimized_lower_bounds(net: &ReluNet, bounds: &Bounds, rows: &[(Vec<f64>, Vec<f64>)]) -> Vec<LinearLower> {
    let upto = net.ops.len();
    let dense = DenseAffines::of(net, upto);
    let mut best = back_substitute(net, bounds, upto, rows, None, &dense);
    // Rows still improving, each with the slopes of its next round.
    let mut active: Vec<usize> = (0..rows.len()).collect();
    for _ in 0..SLOPE_ROUNDS {
        let mut next_rows = Vec::new();
        let mut next_slopes = Vec::new();
        let mut owners = Vec::new();
        for &r in &active {
            let Some(coefs) = &best[r].input_coefs else {
                continue;
            };
            let (lo, hi) = (&bounds.input.lower, &bounds.input.upper);
            let corner: Vec<f64> = (0..lo.len())
                .map(|i| if coefs[i] >= 0.0 { lo[i] } else { hi[i] })
                .collect();
            let trace = net.trace(&corner);
            let slopes: Slopes = (0..net.ops.len())
                .map(|k| {
                    if !matches!(net.ops[k], Op::Relu) {
                        return Vec::new();
                    }
                    let before: &[f64] = if k == 0 { &corner } else { &trace[k - 1] };
                    before.iter().map(|&v| if v > 0.0 { 1.0 } else { 0.0 }).collect()
                })
                .collect();
            next_rows.push(rows[r].clone());
            next_slopes.push(slopes);
            owners.push(r);
        }
        if owners.is_empty() {
            break;
        }
        let found = back_substitute(net, bounds, upto, &next_rows, Some(&next_slopes), &dense);
        active.clear();
        for (next, r) in found.into_iter().zip(owners) {
            if next.lower > best[r].lower {
                best[r] = next;
                active.push(r);
            }
        }
    }
    best
}

/// The dense weights (and their absolute values) of each dense affine
/// operation among the first `upto`, for [`back_substitute`]'s
/// row-times-matrix products (contiguous rows, which the compiler
/// vectorizes; the sparse rows of [`mipnet_network::Affine`] cost about
/// four times as much on ACAS Xu's dense layers). A sparse one (a
/// convolution: a few weights per output of a wide input) keeps its sparse
/// rows: expanded it would cost its full rows × inputs in memory and work.
struct DenseAffines {
    /// `ops[k]`: for dense affine operation `k`, `(inputs, w, |w|)` with
    /// `w[i·inputs + j]` the weight of input `j` in output `i`; `None` for
    /// other operations and sparse affine ones.
    ops: Vec<Option<DenseAffine>>,
}

/// Share of an affine operation's rows × inputs that must hold a weight
/// for [`DenseAffines`] to expand it: a dense layer has all of them, a
/// convolution a kernel's worth of a wide input (a few percent at most).
const DENSE_MIN_SHARE: f64 = 0.5;

/// Rows [`back_substitute`] carries at once: each holds two vectors of the
/// widest layer it passes (a convolutional network's 10⁴–10⁵ values), so
/// many rows at once would cost gigabytes; 256 keeps a chunk under about
/// 100 MB there while ACAS Xu's rows (at most 50 a layer) go in one chunk.
const ROW_CHUNK: usize = 256;

/// One affine operation's input count, its weights `w` (row-major,
/// `w[i·inputs + j]`) and their absolute values.
type DenseAffine = (usize, Vec<f64>, Vec<f64>);

impl DenseAffines {
    fn of(net: &ReluNet, upto: usize) -> DenseAffines {
        let ops = net.ops[..upto]
            .iter()
            .map(|op| match op {
                Op::Affine(aff)
                    if aff.rows.iter().map(Vec::len).sum::<usize>() as f64
                        >= DENSE_MIN_SHARE * (aff.rows.len() * aff.inputs) as f64 =>
                {
                    let n = aff.inputs;
                    let mut w = vec![0.0; aff.rows.len() * n];
                    for (i, row) in aff.rows.iter().enumerate() {
                        for &(j, v) in row {
                            w[i * n + j] += v;
                        }
                    }
                    let abs = w.iter().map(|v: &f64| v.abs()).collect();
                    Some((n, w, abs))
                }
                _ => None,
            })
            .collect();
        DenseAffines { ops }
    }
}

/// [`lower_bounds`] of all `rows`, [`ROW_CHUNK`] at a time, with each
/// row's own lower slopes when `slopes` is given (`slopes[r]` for row `r`).
fn back_substitute(
    net: &ReluNet,
    bounds: &Bounds,
    upto: usize,
    rows: &[(Vec<f64>, Vec<f64>)],
    slopes: Option<&[Slopes]>,
    dense: &DenseAffines,
) -> Vec<LinearLower> {
    rows.chunks(ROW_CHUNK)
        .enumerate()
        .flat_map(|(i, chunk)| {
            let own = slopes.map(|s| &s[i * ROW_CHUNK..i * ROW_CHUNK + chunk.len()]);
            back_substitute_chunk(net, bounds, upto, chunk, own, dense)
        })
        .collect()
}

/// [`back_substitute`] of rows carried together. The same sums as
/// [`Carried`], row by row (each row's coefficients and magnitudes are
/// carried exactly as there, so the rounding argument is unchanged); only
/// the storage is one matrix per layer.
fn back_substitute_chunk(
    net: &ReluNet,
    bounds: &Bounds,
    upto: usize,
    rows: &[(Vec<f64>, Vec<f64>)],
    slopes: Option<&[Slopes]>,
    dense: &DenseAffines,
) -> Vec<LinearLower> {
    let m = rows.len();
    if m == 0 {
        return Vec::new();
    }
    let mut width = rows[0].0.len();
    let mut a: Vec<f64> = rows.iter().flat_map(|(r, _)| r.iter().copied()).collect();
    let mut mag: Vec<f64> = a.iter().map(|v| v.abs()).collect();
    let mut c = vec![0.0; m];
    let mut cmag = vec![0.0; m];
    let mut k = upto;
    while k > 0 {
        let op = &net.ops[k - 1];
        if matches!(op, Op::MaxPool { .. }) {
            break;
        }
        let pre = bounds.before(k - 1);
        match op {
            Op::Affine(aff) => {
                let n = aff.inputs;
                let mut a2 = vec![0.0; m * n];
                let mut mag2 = vec![0.0; m * n];
                for r in 0..m {
                    let (dst, dmag) = (&mut a2[r * n..(r + 1) * n], &mut mag2[r * n..(r + 1) * n]);
                    for i in 0..width {
                        let (ai, mi) = (a[r * width + i], mag[r * width + i]);
                        if mi == 0.0 {
                            continue;
                        }
                        c[r] += ai * aff.bias[i];
                        cmag[r] += mi * aff.bias[i].abs();
                        match &dense.ops[k - 1] {
                            Some((_, w, wabs)) => {
                                for ((d, dm), (wv, wa)) in dst
                                    .iter_mut()
                                    .zip(dmag.iter_mut())
                                    .zip(w[i * n..(i + 1) * n].iter().zip(&wabs[i * n..(i + 1) * n]))
                                {
                                    *d += ai * wv;
                                    *dm += mi * wa;
                                }
                            }
                            None => {
                                for &(j, wv) in &aff.rows[i] {
                                    dst[j] += ai * wv;
                                    dmag[j] += mi * wv.abs();
                                }
                            }
                        }
                    }
                }
                a = a2;
                mag = mag2;
                width = n;
            }
            Op::Relu => {
                for r in 0..m {
                    let own = slopes.map(|s| s[r][k - 1].as_slice()).filter(|s| !s.is_empty());
                    relu_back(
                        &mut a[r * width..(r + 1) * width],
                        &mut mag[r * width..(r + 1) * width],
                        (&mut c[r], &mut cmag[r]),
                        pre,
                        own,
                    );
                }
            }
            _ => {
                for r in 0..m {
                    let mut f = Carried {
                        a: a[r * width..(r + 1) * width].to_vec(),
                        mag: mag[r * width..(r + 1) * width].to_vec(),
                        c: c[r],
                        cmag: cmag[r],
                    };
                    f.back_through(op, pre, width, None);
                    a[r * width..(r + 1) * width].copy_from_slice(&f.a);
                    mag[r * width..(r + 1) * width].copy_from_slice(&f.mag);
                    c[r] = f.c;
                    cmag[r] = f.cmag;
                }
            }
        }
        k -= 1;
    }
    (0..m)
        .map(|r| {
            let f = Carried {
                a: a[r * width..(r + 1) * width].to_vec(),
                mag: mag[r * width..(r + 1) * width].to_vec(),
                c: c[r],
                cmag: cmag[r],
            };
            finish_row(f, k, bounds, &rows[r].1)
        })
        .collect()
}

/// A row carried back to operation `k` (0: the input; otherwise stopped at
/// the max pooling whose outputs are operation `k − 1`'s) with its input
/// terms `input_row` added: its proven lower bound.
fn finish_row(mut f: Carried, k: usize, bounds: &Bounds, input_row: &[f64]) -> LinearLower {
    if k > 0 {
        // Stopped at a max pooling: its outputs as a box, and the
        // input terms over the input box on their own.
        let mut lower = f.lowest(&bounds.ops[k - 1]);
        if !input_row.is_empty() {
            lower += Carried::new(input_row.to_vec()).lowest(&bounds.input);
        }
        return LinearLower {
            lower,
            input_coefs: None,
        };
    }
    if !input_row.is_empty() {
        for ((a, m), v) in f.a.iter_mut().zip(&mut f.mag).zip(input_row) {
            *a += v;
            *m += v.abs();
        }
    }
    LinearLower {
        lower: f.lowest(&bounds.input),
        input_coefs: Some(f.a),
    }
}

/// Tightens `bounds` (interval bounds, or better) by back-substitution:
/// for each ReLU's input, in order, the proven minimum and maximum of each
/// neuron whose sign is still unknown, and at the end every output of the
/// network; each result is intersected with what `bounds` held, and
/// interval arithmetic re-run from there, so nothing gets looser.
pub fn tighten_linear(net: &ReluNet, bounds: &mut Bounds) {
    tighten_linear_from(net, bounds, 1);
}

/// [`tighten_linear`] for the values of operations `first − 1` on only:
/// what a change to the bounds of operation `first − 2`'s output (a ReLU
/// split) can tighten, the bounds before it being unchanged.
pub fn tighten_linear_from(net: &ReluNet, bounds: &mut Bounds, first: usize) {
    let last = net.ops.len();
    let dense = DenseAffines::of(net, last);
    let has_pool = net.ops.iter().any(|op| matches!(op, Op::MaxPool { .. }));
    // Operations from `stale` on may not yet reflect a tightening before
    // them; they are brought up to date (interval arithmetic, intersected)
    // just before their bounds are read.
    let mut stale = last;
    for k in first.max(1)..=last {
        let is_relu_input = k < last && matches!(net.ops[k], Op::Relu);
        if !is_relu_input && k != last {
            continue;
        }
        if stale < k {
            propagate_dense(net, &dense, bounds, stale, k);
            stale = last;
        }
        let pre = &bounds.ops[k - 1];
        let n = pre.lower.len();
        let targets: Vec<usize> = (0..n)
            .filter(|&i| k == last || (pre.lower[i] < 0.0 && pre.upper[i] > 0.0))
            .collect();
        if targets.is_empty() {
            continue;
        }
        let mut rows = Vec::with_capacity(2 * targets.len());
        for &i in &targets {
            for sign in [1.0, -1.0] {
                let mut row = vec![0.0; n];
                row[i] = sign;
                rows.push((row, Vec::new()));
            }
        }
        let found = back_substitute(net, bounds, k, &rows, None, &dense);
        let b = &mut bounds.ops[k - 1];
        for (t, &i) in targets.iter().enumerate() {
            b.lower[i] = b.lower[i].max(found[2 * t].lower);
            b.upper[i] = b.upper[i].min(-found[2 * t + 1].lower);
        }
        if k < last {
            if has_pool {
                propagate_from(net, bounds, k);
            } else {
                stale = k;
            }
        }
    }
    if stale < last {
        propagate_dense(net, &dense, bounds, stale, last);
    }
}

/// Interval arithmetic through operations `from..to` (no max pooling among
/// them), each result intersected with the bounds held: the same sums and
/// the same rounding room as [`crate::bounds::interval_bounds`] (each
/// affine output widened by [`LINEAR_ROUNDING`] times `1 + Σ|b| + Σ|w|·
/// max(|l|, |u|)`, a multiple of the sum's worst rounding error), over the
/// dense weights.
fn propagate_dense(net: &ReluNet, dense: &DenseAffines, bounds: &mut Bounds, from: usize, to: usize) {
    for j in from..to {
        let x = bounds.before(j).clone();
        let next = match &net.ops[j] {
            Op::Affine(aff) => {
                let (mut lower, mut upper) = (aff.bias.clone(), aff.bias.clone());
                let reach: Vec<f64> = x
                    .lower
                    .iter()
                    .zip(&x.upper)
                    .map(|(l, u)| l.abs().max(u.abs()))
                    .collect();
                for i in 0..aff.bias.len() {
                    let (mut lo, mut hi, mut slack) = (0.0, 0.0, aff.bias[i].abs());
                    let mut add = |jj: usize, wv: f64| {
                        let (a, b) = (wv * x.lower[jj], wv * x.upper[jj]);
                        lo += a.min(b);
                        hi += a.max(b);
                        slack += wv.abs() * reach[jj];
                    };
                    // The dense row when the layer is dense, else its
                    // sparse entries (the same terms, zeros left out).
                    match &dense.ops[j] {
                        Some((n, w, _)) => w[i * n..(i + 1) * n]
                            .iter()
                            .enumerate()
                            .for_each(|(jj, &wv)| add(jj, wv)),
                        None => aff.rows[i].iter().for_each(|&(jj, wv)| add(jj, wv)),
                    }
                    let e = LINEAR_ROUNDING * (1.0 + slack);
                    lower[i] += lo - e;
                    upper[i] += hi + e;
                }
                Interval { lower, upper }
            }
            Op::Relu => Interval {
                lower: x.lower.iter().map(|v| v.max(0.0)).collect(),
                upper: x.upper.iter().map(|v| v.max(0.0)).collect(),
            },
            Op::Normalize { sub, div } => {
                let (mut lower, mut upper) = (Vec::new(), Vec::new());
                for i in 0..sub.len() {
                    let a = (x.lower[i] - sub[i]) / div[i];
                    let b = (x.upper[i] - sub[i]) / div[i];
                    let e = LINEAR_ROUNDING * (1.0 + a.abs().max(b.abs()));
                    lower.push(a.min(b) - e);
                    upper.push(a.max(b) + e);
                }
                Interval { lower, upper }
            }
            Op::MaxPool { .. } => unreachable!("propagate_dense is not used on networks with max pooling"),
        };
        bounds.ops[j].intersect(&next);
    }
}

/// For branching on ReLUs: each unstable ReLU's share of the looseness of
/// the lower bound of `row·y` (`y` the network's outputs), as
/// back-substitution sees it: `|a|·(−l·u)/(u − l)`, `a` the coefficient the
/// carried function has on the ReLU's output and `(−l·u)/(u − l)` the
/// largest gap between the ReLU and its upper line (the BaBSR estimate of
/// what fixing the ReLU's sign gains). Each entry is `(k, i, score)`:
/// neuron `i` of ReLU operation `k`. Stops at a max pooling.
pub fn relu_scores(net: &ReluNet, bounds: &Bounds, row: &[f64]) -> Vec<(usize, usize, f64)> {
    let lens = value_lens(net);
    let mut f = Carried::new(row.to_vec());
    let mut scores = Vec::new();
    for k in (0..net.ops.len()).rev() {
        let op = &net.ops[k];
        if matches!(op, Op::MaxPool { .. }) {
            break;
        }
        if matches!(op, Op::Relu) {
            let pre = bounds.before(k);
            for (i, &a) in f.a.iter().enumerate() {
                let (l, u) = (pre.lower[i], pre.upper[i]);
                if l < 0.0 && u > 0.0 && a != 0.0 {
                    scores.push((k, i, a.abs() * (-l * u) / (u - l)));
                }
            }
        }
        f.back_through(op, bounds.before(k), lens[k], None);
    }
    scores
}
