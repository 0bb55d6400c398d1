//! The training MILP of a ReLU classifier (dense layers, optionally after a
//! convolution), and the bridge between its solutions and
//! [`mipnet_network::Network`]s.
//!
//! # The formulation
//!
//! Data: standardized training inputs x_n ∈ R^d, labels y_n ∈ {0..K−1},
//! n = 1..N. Network: d → n_1 → … → n_{L−1} (ReLU) → K (linear).
//!
//! **Layer 1** (inputs are data): a_{nj} = Σ_i W_{ji} x_{ni} + b_j with
//! W, b continuous in [−ω, ω], so a is linear in the variables.
//!
//! **Layers ≥ 2** (weights × activations): each weight is w_{kj} = s·z_{kj},
//! z ∈ {−P..P}, written with one binary u_{kjv} per nonzero value v
//! (Σ_v u_{kjv} ≤ 1). Each product q_{nkjv} = u_{kjv}·h_{nj} with
//! 0 ≤ h ≤ H_{nj} is exact with
//! q ≤ H·u, q ≤ h, q ≥ h − H(1 − u), q ≥ 0, and
//! a_{nk} = s Σ_j Σ_v v·q_{nkjv} + b_k.
//! ReLU is positively homogeneous, so a hidden neuron's scale moves into
//! its incoming weights: for one hidden layer this grid loses nothing.
//!
//! **ReLU** per sample, with interval bounds L ≤ a ≤ U of that sample:
//! U ≤ 0 ⇒ h = 0; L ≥ 0 ⇒ h = a; otherwise a binary σ and
//! h ≥ a, h ≥ 0, h ≤ a − L(1 − σ), h ≤ U·σ.
//! Interval bounds: layer 1 U = ω(Σ_i |x_{ni}| + 1); layer ℓ ≥ 2
//! U = s·P·Σ_j H_{nj} + ω; L = −U.
//!
//! **Loss** (mean over samples): hinge ξ_n ≥ margin − (o_{n,y_n} − o_{nk})
//! for k ≠ y_n, ξ ≥ 0; misclassification: a binary e_n with
//! o_{n,y} − o_{nk} + M e_n ≥ margin; ℓ1: t_{nk} ≥ |o_{nk} − onehot_{nk}|.
//!
//! **Regularization**: α·ℓ1 (auxiliaries |W| for layer 1; s·|v|·u exactly for
//! grid weights), λ·ℓ0 (a binary per layer-1 weight with |W| ≤ ω·on; Σ_v u
//! for grid weights), γ·ℓ2 (tangents r ≥ 2tW − t² at k points of [−ω, ω]
//! for layer 1, an outer approximation whose error is at most
//! (2ω/(k−1))²/4 per weight; s²v²·u exactly for grid weights).
//!
//! **Pruning**: a neuron indicator q_j forces its incoming and outgoing
//! weights and its bias to 0 (then its activation is 0); cost β per kept
//! neuron. A layer indicator r_ℓ (hidden layers ≥ 2 of the previous width)
//! forces the layer's weights and biases to 0, relaxes its ReLU rows by
//! big-M, and ties h^ℓ = h^{ℓ−1}: the layer becomes the identity.
//!
//! **Symmetry breaking**: neurons of a hidden layer are ordered, kept first
//! (q_j ≥ q_{j+1}) then by bias (b_j − b_{j+1} ≥ −2ω(q_j − q_{j+1})). Any
//! network can be permuted into that order, so the optimum is unchanged.
//!
//! Objective: loss + α·ℓ1 + λ·ℓ0 + γ·ℓ2 + β·(neurons kept) + (layer
//! penalty)·(layers kept).
//!
//! # A convolution as layer 1
//!
//! With `conv` set, layer 1 is a 2-D convolution of C filters k×k (stride,
//! zero padding) over the image (C_in × H × W, flattened channel-major).
//! Its inputs are still data, so each neuron (c, y, x) has the
//! pre-activation a = Σ_taps F_c[ic, ky, kx]·x[ic, y·s+ky−p, x·s+kx−p] + b_c,
//! linear in the filter weights F (continuous in [−ω, ω], with the same ℓ1,
//! ℓ0 and ℓ2 terms, counted once per filter weight) and one bias per filter.
//! Each neuron gets its own ReLU with the interval bound
//! U = ω(Σ_taps |x| + 1) of its own window.
//!
//! **Pooling** of each filter's map: average pooling is one equality
//! g = (1/|w|)·Σ_{e∈w} h_e; max pooling is exact with a binary per window
//! element: g ≥ h_e for every e, g ≤ h_e + G(1 − δ_e), Σ_e δ_e = 1, where G
//! is the largest bound in the window (h ≥ 0, so G bounds every difference),
//! and g ≤ Σ_e U_e·δ_e (the picked element's own bound; valid, and tighter
//! in the relaxation).
//! The next layer reads the pooled values g like activations (products with
//! its grid weights, bounded by g's bound).
//!
//! **Filter pruning**: one indicator per filter gates its weights, its bias
//! and every grid weight that reads its map; β is paid per kept filter.
//! Symmetry breaking orders filters as it orders neurons (kept first, then
//! by bias); layer pruning applies to dense layers only.
//!
//! # Where things are
//!
//! One job per module. [`DenseFormulation`] is the built model; the jobs
//! on it find their columns through one layout and never reach into the
//! build.
//!
//! | module | job |
//! |---|---|
//! | `settings` | [`FormulationSettings`] and [`Loss`], defaults and validation |
//! | `layout` | where every column is, by its subscripts: the index formulas, written once |
//! | `conv` | the convolution's geometry: taps, pooling windows, filters of the next layer's inputs |
//! | `formulation` | building the model in order; one file per part: `weights`, `pruning`, `regularization`, `layers` (products, pre-activations), `bounds` (interval bounds), `relu`, `pooling`, `loss`, `symmetry` |
//! | `bridge` | network → every column's value (start values); solution → network |
//! | `certificate` | a solution against the forward pass of its network ([`Certificate`]) |
//! | `objective` | the objective of a network by its forward pass |
//! | `flips` | ReLU flips that could lower the loss (the search's heuristic) |
//! | `groups` | groups of integral columns for neighbourhood search |
//! | `cuts` | Lipschitz cuts between samples ([`LipschitzCut`]) |
//! | `polish` | the LP left when every binary is fixed ([`PolishLp`]) |
//! | `project` | a real-valued network projected into the feasible set |
//! | `rules` | [`Rule`]s the network must keep: their rows (one file per kind), start values and checks ([`RuleCheck`]) |
//! | `estimate` | the model's size from its dimensions, nothing built ([`ModelEstimate`]) |
//! | `tolerances` | every tolerance, named: [`Tolerances`] and the fixed ones |
//! | `expr` | linear expressions: merging and negating terms |

// Loops over indices mirror the subscripts of the equations (n, j, k, v).
#![allow(clippy::needless_range_loop)]

mod bridge;
mod certificate;
mod column_names;
mod conv;
mod cuts;
mod estimate;
mod expr;
mod flips;
mod formulation;
mod groups;
mod layout;
mod objective;
mod polish;
mod project;
mod rules;
mod settings;
mod tolerances;

pub use certificate::Certificate;
pub use cuts::LipschitzCut;
pub use estimate::ModelEstimate;
pub use formulation::{DenseFormulation, ModelStats};
pub use polish::PolishLp;
pub use project::{project, sort_neurons};
pub use rules::{
    allowed_gap_count, check_class_weights, check_rules, check_rules_on_inputs, group_members, Direction,
    FairnessMeasure, GroupMembers, Rule, RuleCheck, ARGMAX_GAP_WARNING, DECISION_BAND,
};
pub use settings::{FormulationSettings, Loss, SettingError, MIN_CLASS_WEIGHT};
pub use tolerances::Tolerances;
