//! The pooling of the convolution's feature maps, per sample and window.
//! Average: g is the mean of its window, one equality. Max: g ≥ h_e for
//! every element e, and g ≤ h_e + G(1 − δ_e) with Σ_e δ_e = 1, G = the
//! largest bound in the window: g equals the element δ picks, which is the
//! largest; and g ≤ Σ_e U_e·δ_e (valid, tighter in the relaxation).

use super::DenseFormulation;
use crate::layout::{Act, PoolAct};
use mipnet_milp::{Col, VarType};
use mipnet_network::PoolKind;

impl DenseFormulation {
    pub(super) fn add_pooling(&mut self) {
        let Some(c) = self.layout.pooling_conv() else {
            return;
        };
        let (kind, windows) = (c.pool.expect("pooling").kind, c.windows.clone());
        let mut pooled = Vec::with_capacity(self.layout.samples() * windows.len());
        for n in 0..self.layout.samples() {
            for win in &windows {
                let elems: Vec<Act> = win.iter().map(|&e| *self.layout.act(0, n, e)).collect();
                let live: Vec<(usize, Col, f64)> = elems
                    .iter()
                    .enumerate()
                    .filter_map(|(i, a)| a.h.map(|h| (i, h, a.upper)))
                    .collect();
                let m = &mut self.model;
                let mut select = vec![None; elems.len()];
                let (g, upper) = match kind {
                    _ if live.is_empty() => (None, 0.0),
                    PoolKind::Average => {
                        let inv = 1.0 / elems.len() as f64;
                        let upper: f64 = live.iter().map(|t| t.2 * inv).sum();
                        let g = m.add_col(0.0, upper, 0.0, VarType::Continuous);
                        let row = [(g, 1.0)].into_iter().chain(live.iter().map(|t| (t.1, -inv)));
                        m.add_row(0.0, 0.0, row);
                        (Some(g), upper)
                    }
                    PoolKind::Max if live.len() == 1 => (Some(live[0].1), live[0].2),
                    PoolKind::Max => {
                        let upper = live.iter().map(|t| t.2).fold(0.0, f64::max);
                        let g = m.add_col(0.0, upper, 0.0, VarType::Continuous);
                        let mut pick = Vec::with_capacity(live.len());
                        for &(i, h, _) in &live {
                            let d = m.add_binary(0.0);
                            select[i] = Some(d);
                            pick.push((d, 1.0));
                            // g ≥ h_e ; g − h_e + G·δ_e ≤ G
                            m.add_row(0.0, f64::INFINITY, [(g, 1.0), (h, -1.0)]);
                            m.add_row(f64::NEG_INFINITY, upper, [(g, 1.0), (h, -1.0), (d, upper)]);
                        }
                        m.add_row(1.0, 1.0, pick);
                        // g ≤ Σ_e U_e·δ_e: valid (g is the picked element,
                        // at most its bound) and tighter in the relaxation.
                        let caps = live.iter().map(|&(i, _, u)| (select[i].expect("picked"), -u));
                        m.add_row(f64::NEG_INFINITY, 0.0, [(g, 1.0)].into_iter().chain(caps));
                        (Some(g), upper)
                    }
                };
                pooled.push(PoolAct { g, upper, select });
            }
        }
        self.layout.set_pooled(pooled);
    }
}
