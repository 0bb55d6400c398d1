//! Groups of integral columns that belong together: a hidden unit's, a
//! sample's, a layer's grid. The trainer's large-neighbourhood search frees
//! one or a few groups and fixes every other integral column at the
//! incumbent, so that HiGHS solves a small sub-MIP around it.

use crate::dense::DenseFormulation;
use mipnet_milp::Col;

impl DenseFormulation {
    /// Every hidden unit as (layer, unit): neurons of dense layers, the
    /// filters of a convolution.
    pub fn hidden_units(&self) -> Vec<(usize, usize)> {
        (0..self.num_layers() - 1)
            .flat_map(|l| (0..self.units(l)).map(move |u| (l, u)))
            .collect()
    }

    /// Number of hidden layers.
    pub fn hidden_layers(&self) -> usize {
        self.num_layers() - 1
    }

    /// Number of training samples.
    pub fn samples(&self) -> usize {
        self.n()
    }

    /// The integral columns of hidden unit `u` of layer `l`: its ReLU
    /// binaries over every sample (every position of a filter, and the
    /// max-pooling selectors of its windows), its neuron indicator, the ℓ0
    /// indicators of its layer-1 weights, and the grid binaries of its
    /// incoming (layer ≥ 2) and outgoing weights.
    pub fn unit_binaries(&self, l: usize, u: usize) -> Vec<Col> {
        let mut cols = Vec::new();
        let width = self.widths[l];
        let positions: Vec<usize> = (0..width).filter(|&j| self.unit(l, j) == u).collect();
        for n in 0..self.n() {
            cols.extend(positions.iter().filter_map(|&j| self.act[l][n * width + j].sigma));
        }
        if let (0, Some(c)) = (l, &self.conv) {
            let q = c.windows.len();
            for n in 0..self.n() {
                for (w, p) in c.pooled[n * q..(n + 1) * q].iter().enumerate() {
                    if c.pool.is_some() && c.filter_of_input(w) == u {
                        cols.extend(p.select.iter().flatten());
                    }
                }
            }
        }
        cols.extend(self.neuron_on[l][u]);
        if l == 0 {
            let per_unit = self.w1_on.len() / self.units(0).max(1);
            if per_unit > 0 {
                cols.extend(self.w1_on[u * per_unit..(u + 1) * per_unit].iter().flatten());
            }
        }
        let nv = self.values().len();
        if l >= 1 {
            let inputs = self.inputs_of(l);
            for i in 0..inputs {
                cols.extend(&self.grid[l][(u * inputs + i) * nv..(u * inputs + i + 1) * nv]);
            }
        }
        let (next, inputs) = (l + 1, self.inputs_of(l + 1));
        for k in 0..self.widths[next] {
            for i in (0..inputs).filter(|&i| self.gated_unit(next, i) == u) {
                cols.extend(&self.grid[next][(k * inputs + i) * nv..(k * inputs + i + 1) * nv]);
            }
        }
        cols
    }

    /// The unit of layer `l − 1` that input `i` of layer `l ≥ 1` comes from.
    fn gated_unit(&self, l: usize, i: usize) -> usize {
        match (l, &self.conv) {
            (1, Some(c)) => c.filter_of_input(i),
            _ => i,
        }
    }

    /// Sample `n`'s integral columns: its ReLU binaries in every hidden
    /// layer, its max-pooling selectors, and its loss binary
    /// (misclassification loss).
    pub fn sample_binaries(&self, n: usize) -> Vec<Col> {
        let mut cols = Vec::new();
        for l in 0..self.num_layers() - 1 {
            let width = self.widths[l];
            cols.extend(self.act[l][n * width..(n + 1) * width].iter().filter_map(|a| a.sigma));
        }
        if let Some(c) = &self.conv {
            let q = c.windows.len();
            for p in &c.pooled[n * q..(n + 1) * q] {
                cols.extend(p.select.iter().flatten());
            }
        }
        let integral = |c: &Col| self.model.col_types()[c.index()].is_integral();
        let per = self.loss_cols.len() / self.n().max(1);
        cols.extend(self.loss_cols[n * per..(n + 1) * per].iter().filter(|c| integral(c)));
        cols
    }

    /// The grid binaries of layer `l ≥ 1` (every weight of it).
    pub fn grid_binaries(&self, l: usize) -> Vec<Col> {
        self.grid.get(l).cloned().unwrap_or_default()
    }

    /// The layer indicators (layer pruning), one per prunable hidden layer.
    pub fn layer_indicators(&self) -> Vec<Col> {
        self.layer_on.iter().flatten().copied().collect()
    }
}
