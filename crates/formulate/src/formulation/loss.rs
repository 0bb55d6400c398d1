//! The loss, averaged over the samples (cost w_y/N per sample's column,
//! w_y its class's weight, 1 unless `class_weights` names the class):
//! hinge ξ_n ≥ margin − (o_{n,y} − o_{nk}) for k ≠ y, ξ ≥ 0;
//! misclassification a binary e_n with o_{n,y} − o_{nk} + M·e_n ≥ margin;
//! ℓ1 t_{nk} ≥ |o_{nk} − onehot_{nk}|.

use super::DenseFormulation;
use crate::expr::{diff_terms, merge_terms, negated, Expr};
use crate::settings::Loss;
use mipnet_milp::{Col, Model, VarType};

impl DenseFormulation {
    pub(super) fn add_loss(&mut self) {
        let (n_samples, k) = (self.layout.samples(), self.layout.classes());
        let margin = self.settings.margin;
        for n in 0..n_samples {
            let y = self.data.label(n);
            let cost = self.loss_cost(n);
            match self.settings.loss {
                Loss::Hinge | Loss::Misclassification => {
                    let big = 2.0 * self.output_bound(n) + margin;
                    let col = if self.settings.loss == Loss::Hinge {
                        self.model.add_col(0.0, big, cost, VarType::Continuous)
                    } else {
                        self.model.add_binary(cost)
                    };
                    let coef = if self.settings.loss == Loss::Hinge { 1.0 } else { big };
                    let outputs: Vec<_> = (0..k).map(|c| self.output_terms(n, c)).collect();
                    margin_rows(&mut self.model, &outputs, y, margin, Some((col, coef)));
                    self.layout.push_loss(col);
                }
                Loss::L1 => {
                    let big = self.output_bound(n) + 1.0;
                    for c in 0..k {
                        let target = if c == y { 1.0 } else { 0.0 };
                        let t = self.model.add_col(0.0, big, cost, VarType::Continuous);
                        let o = self.output_terms(n, c);
                        l1_loss_rows(&mut self.model, t, &o, target);
                        self.layout.push_loss(t);
                    }
                }
            }
        }
    }
}

/// t ≥ |o − target|: t − o ≥ −target and t + o ≥ target (also the polish
/// LP's ℓ1 loss).
pub(crate) fn l1_loss_rows(m: &mut Model, t: Col, o: &[(Col, f64)], target: f64) {
    let mut row = vec![(t, 1.0)];
    row.extend(negated(o));
    m.add_row(-target, f64::INFINITY, row);
    let mut row = vec![(t, 1.0)];
    row.extend(o.iter().copied());
    m.add_row(target, f64::INFINITY, row);
}

/// o_y − o_c + coef·e ≥ margin for every class c ≠ y, with the outputs'
/// terms `outputs[c]` and an optional miss column `e` with its big-M
/// coefficient (none: the margin is demanded outright). The
/// misclassification loss's rows, and a class recall's and a fixed
/// decision's.
pub(crate) fn margin_rows(m: &mut Model, outputs: &[Expr], y: usize, margin: f64, miss: Option<(Col, f64)>) {
    for c in (0..outputs.len()).filter(|&c| c != y) {
        let row = match miss {
            Some(extra) => diff_terms(&outputs[y], &outputs[c], extra),
            None => merge_terms(outputs[y].iter().copied().chain(negated(&outputs[c])).collect()),
        };
        m.add_row(margin, f64::INFINITY, row);
    }
}
