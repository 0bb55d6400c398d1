//! The geometry of a convolution as layer 1: which inputs and filter
//! weights each neuron reads, which neurons each pooling window holds, and
//! how the next layer's inputs map back to filters. Kept apart from the
//! model so that building, reading a network back and the size estimate
//! all use one description of the convolution.

use crate::settings::SettingError;
use mipnet_network::{ConvShape, ConvSpec, Pool};

/// The convolution in front of the dense layers: its geometry, each
/// neuron's taps (input, filter weight), and the pooling windows.
pub(crate) struct ConvPart {
    pub(crate) shape: ConvShape,
    /// `taps[neuron]`: its (input, filter weight) pairs.
    pub(crate) taps: Vec<Vec<(usize, usize)>>,
    pub(crate) pool: Option<Pool>,
    /// The neurons of each pooling window (none without pooling).
    pub(crate) windows: Vec<Vec<usize>>,
}

impl ConvPart {
    /// The convolution `spec` over `features` inputs; refused by name when
    /// it does not fit the data.
    pub(crate) fn new(spec: &ConvSpec, features: usize) -> Result<ConvPart, SettingError> {
        let shape = spec
            .shape(features)
            .map_err(|reason| SettingError { name: "conv", reason })?;
        let windows = spec.pool.map_or(Vec::new(), |p| p.windows(shape.output_shape()));
        Ok(ConvPart {
            shape,
            taps: shape.taps(),
            pool: spec.pool,
            windows,
        })
    }

    /// Length of what the next layer reads.
    pub(crate) fn out_len(&self) -> usize {
        if self.pool.is_some() {
            self.windows.len()
        } else {
            self.shape.outputs()
        }
    }

    /// The filter that the next layer's input `j` comes from.
    pub(crate) fn filter_of_input(&self, j: usize) -> usize {
        j / (self.out_len() / self.shape.channels)
    }

    /// Filter weights per filter.
    pub(crate) fn params_per_filter(&self) -> usize {
        self.shape.params() / self.shape.channels
    }
}
