//! How a table's raw columns become a network's numeric inputs: a numeric
//! column is one input as it is; a text column is one-hot encoded, one
//! input per category seen in training (`island=Biscoe` is 1 when the
//! row's `island` is `Biscoe`, else 0). A category never seen in training
//! encodes as all zeros: the network then reads none of that column's
//! inputs as present.
//!
//! The encoding is saved with the network (in its standardizer), so
//! `predict` on a raw CSV encodes exactly as training did.

use serde::{Deserialize, Serialize};

/// The raw columns a network reads, in the order their inputs appear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encoding {
    pub columns: Vec<ColumnEncoding>,
}

/// One raw column and the inputs it becomes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnEncoding {
    /// A numeric column: one input, the value itself.
    Numeric { name: String },
    /// A text column: one 0/1 input per category, in this order.
    OneHot { name: String, categories: Vec<String> },
}

impl ColumnEncoding {
    /// The raw column's name.
    pub fn name(&self) -> &str {
        match self {
            ColumnEncoding::Numeric { name } | ColumnEncoding::OneHot { name, .. } => name,
        }
    }

    /// The names of the inputs this column becomes.
    pub fn feature_names(&self) -> Vec<String> {
        match self {
            ColumnEncoding::Numeric { name } => vec![name.clone()],
            ColumnEncoding::OneHot { name, categories } => categories.iter().map(|c| one_hot_name(name, c)).collect(),
        }
    }
}

/// The input name of category `category` of column `column`.
pub fn one_hot_name(column: &str, category: &str) -> String {
    format!("{column}={category}")
}

impl Encoding {
    /// The network's input names, column by column.
    pub fn feature_names(&self) -> Vec<String> {
        self.columns.iter().flat_map(ColumnEncoding::feature_names).collect()
    }

    /// Whether any column is one-hot encoded (otherwise the encoding is
    /// the identity and need not be stored).
    pub fn has_text_columns(&self) -> bool {
        self.columns.iter().any(|c| matches!(c, ColumnEncoding::OneHot { .. }))
    }

    /// Checks that the encoding is usable: names and categories present
    /// and distinct, and that it yields `expected` as input names.
    pub fn check(&self, expected: &[String]) -> Result<(), String> {
        for (i, c) in self.columns.iter().enumerate() {
            if c.name().is_empty() {
                return Err(format!("encoding: column {} has an empty name", i + 1));
            }
            if self.columns[..i].iter().any(|o| o.name() == c.name()) {
                return Err(format!("encoding: column '{}' appears twice", c.name()));
            }
            if let ColumnEncoding::OneHot { name, categories } = c {
                if categories.is_empty() {
                    return Err(format!("encoding: text column '{name}' has no categories"));
                }
                for (j, k) in categories.iter().enumerate() {
                    if categories[..j].contains(k) {
                        return Err(format!("encoding: column '{name}' lists category '{k}' twice"));
                    }
                }
            }
        }
        let names = self.feature_names();
        if names != expected {
            return Err(format!(
                "the encoding yields the inputs [{}], but the network's features are [{}]",
                names.join(", "),
                expected.join(", ")
            ));
        }
        Ok(())
    }
}
