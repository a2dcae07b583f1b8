//! A chunk of mapped rows turned into store rows on the reading thread, so the writing side
//! only checks references and writes: the import runs on two cores, one parsing and
//! preparing, one writing. Dimension records (shops, departments, promotions, products)
//! repeat on nearly every row; they are kept once per chunk, and each record remembers which
//! it refers to, so a record rejected later takes its dimensions with it.

use std::collections::HashMap;

use super::records::Mapped;
use crate::store::model::{Department, Product, Promotion, Shop};
use crate::store::{Entity, Row, StoreResult, Table};

/// No dimension in this slot.
const NONE: u32 = u32::MAX;

/// One record of the file's own table, ready to write.
pub struct Record {
    /// Its row in the file.
    pub row: u64,
    /// The id another table must hold for this record to be written (a line's receipt), or
    /// the card it is about (a cardholder).
    pub refers_to: String,
    pub values: Row,
    /// Voucher codes the receipt says were taken at the till.
    pub vouchers: Vec<String>,
    /// Indices into [`Prepared::dims`].
    dims: [u32; 3],
}

/// A chunk ready to write.
#[derive(Default)]
pub struct Prepared {
    pub records: Vec<Record>,
    /// Dimension records, one per table and id, in the order first seen (kept typed until
    /// written: a repeat replaces the record without building its row).
    dims: Vec<Dim>,
    seen: HashMap<Table, HashMap<String, u32, foldhash::fast::RandomState>>,
}

impl Prepared {
    fn dim<T: Entity>(&mut self, record: T, wrap: fn(T) -> Dim) -> u32 {
        let seen = self.seen.entry(T::TABLE).or_default();
        if let Some(&i) = seen.get(record.id()) {
            // The last row of a chunk wins, as it would writing row by row.
            self.dims[i as usize] = wrap(record);
            return i;
        }
        let i = self.dims.len() as u32;
        seen.insert(record.id().to_string(), i);
        self.dims.push(wrap(record));
        i
    }

    /// Adds a mapped row.
    pub fn push(&mut self, row: u64, mapped: Mapped) -> StoreResult<()> {
        let record = match mapped {
            Mapped::Cardholder(c) => {
                Record { row, refers_to: c.id.clone(), values: c.into_row()?, vouchers: Vec::new(), dims: [NONE; 3] }
            }
            Mapped::Receipt { receipt, shop, vouchers } => {
                let shop = self.dim(shop, Dim::Shop);
                Record {
                    row,
                    refers_to: String::new(),
                    values: receipt.into_row()?,
                    vouchers,
                    dims: [shop, NONE, NONE],
                }
            }
            Mapped::Line { line, product, department, promotion } => {
                let product = self.dim(product, Dim::Product);
                let department = department.map_or(NONE, |d| self.dim(d, Dim::Department));
                let promotion = promotion.map_or(NONE, |p| self.dim(p, Dim::Promotion));
                Record {
                    row,
                    refers_to: line.receipt_id.clone(),
                    values: line.into_row()?,
                    vouchers: Vec::new(),
                    dims: [product, department, promotion],
                }
            }
        };
        self.records.push(record);
        Ok(())
    }

    /// Keeps the records `keep` accepts (and only the dimensions they refer to).
    pub fn retain(&mut self, mut keep: impl FnMut(&Record) -> bool) {
        self.records.retain(|r| keep(r));
    }

    /// The rows to write, per table: dimensions first (shops, departments, promotions,
    /// products — in the order a reference needs them), then the file's own table.
    pub fn into_parts(self, own: Table) -> StoreResult<Vec<(Table, Vec<Row>)>> {
        let mut used = vec![false; self.dims.len()];
        for r in &self.records {
            for &i in r.dims.iter().filter(|&&i| i != NONE) {
                used[i as usize] = true;
            }
        }
        let order = [Table::Shops, Table::Departments, Table::Promotions, Table::Products];
        let mut parts: Vec<(Table, Vec<Row>)> = order.iter().map(|&t| (t, Vec::new())).collect();
        for (dim, used) in self.dims.into_iter().zip(used) {
            let (table, values) = dim.into_row()?;
            if let Some(part) = parts.iter_mut().find(|(t, _)| *t == table).filter(|_| used) {
                part.1.push(values);
            }
        }
        parts.push((own, self.records.into_iter().map(|r| r.values).collect()));
        Ok(parts)
    }
}

/// A dimension record a row refers to.
enum Dim {
    Shop(Shop),
    Department(Department),
    Promotion(Promotion),
    Product(Product),
}

impl Dim {
    fn into_row(self) -> StoreResult<(Table, Row)> {
        Ok(match self {
            Dim::Shop(r) => (Shop::TABLE, r.into_row()?),
            Dim::Department(r) => (Department::TABLE, r.into_row()?),
            Dim::Promotion(r) => (Promotion::TABLE, r.into_row()?),
            Dim::Product(r) => (Product::TABLE, r.into_row()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::model::SalesLine;

    fn line(id: &str, receipt: &str, product: &str, department: &str) -> Mapped {
        Mapped::Line {
            line: SalesLine {
                id: id.into(),
                receipt_id: receipt.into(),
                line_no: 1,
                product_id: product.into(),
                department_id: Some(department.into()),
                quantity_milli: 1000,
                gross_cents: 100,
                discount_cents: 0,
                net_cents: 100,
                promotion_id: None,
            },
            product: Product {
                id: product.into(),
                description: format!("prodotto {product}"),
                department_id: Some(department.into()),
                brand: None,
            },
            department: Some(Department { id: department.into(), name: format!("reparto {department}") }),
            promotion: None,
        }
    }

    #[test]
    fn dimensions_are_kept_once_and_leave_with_the_records_that_need_them() {
        let mut p = Prepared::default();
        p.push(2, line("R1#1", "R1", "P1", "01")).unwrap();
        p.push(3, line("R1#2", "R1", "P2", "01")).unwrap();
        p.push(4, line("R2#1", "R2", "P2", "02")).unwrap();
        assert_eq!(p.records.len(), 3);
        // R2's receipt is missing: its line goes, and department 02 with it; P2 stays (R1#2).
        p.retain(|r| r.refers_to != "R2");
        let parts = p.into_parts(Table::SalesLines).unwrap();
        let ids = |t: Table| -> Vec<String> {
            let rows = &parts.iter().find(|(x, _)| *x == t).unwrap().1;
            rows.iter().map(|r| r[0].as_str().unwrap().to_string()).collect()
        };
        assert_eq!(ids(Table::Departments), ["01"]);
        assert_eq!(ids(Table::Products), ["P1", "P2"]);
        assert_eq!(ids(Table::SalesLines), ["R1#1", "R1#2"]);
        assert_eq!(parts.last().unwrap().0, Table::SalesLines);
    }
}
