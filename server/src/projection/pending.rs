//! The sales lines a build has read but not yet put in order. The store hands them over by id,
//! the projection keeps them grouped by receipt in time order: they are held as columns in
//! fixed-size chunks while reading (a row struct per line held until the sort, then the final
//! columns beside it, made a build's resident growth 2.6 times the projection at 25 M lines;
//! a doubling vector leaves its old buffers behind), then moved column by column into place
//! by a counting sort on their receipts.

use super::dataset::{grow, LineColumns, LineValues};

/// Values per chunk.
const CHUNK: usize = 1 << 16;

/// A column filled in reading order without ever copying what it holds.
struct Chunks<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunks<T> {
    fn default() -> Self {
        Chunks { chunks: Vec::new(), len: 0 }
    }
}

impl<T: Copy> Chunks<T> {
    fn push(&mut self, value: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        self.chunks.last_mut().expect("a chunk with room").push(value);
        self.len += 1;
    }

    fn get(&self, i: usize) -> T {
        self.chunks[i / CHUNK][i % CHUNK]
    }

    fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.chunks.iter().flatten().copied()
    }

    /// One vector in the order `from` gives (`None`: as read), with an eighth to spare for
    /// appends; the chunks are freed as they are copied when the order is kept.
    fn into_column(self, from: Option<&[u32]>) -> Vec<T> {
        let mut out = Vec::new();
        grow(&mut out, self.len + self.len / 8);
        match from {
            Some(from) => out.extend(from.iter().map(|i| self.get(*i as usize))),
            None => {
                for chunk in self.chunks {
                    out.extend_from_slice(&chunk);
                }
            }
        }
        out
    }
}

/// Lines in reading order, each with the receipt (as read) and number it is sorted by.
#[derive(Default)]
pub(super) struct PendingLines {
    receipt: Chunks<u32>,
    line_no: Chunks<i64>,
    product: Chunks<u32>,
    department: Chunks<u16>,
    promotion: Chunks<u16>,
    quantity: Chunks<i32>,
    gross: Chunks<i32>,
    discount: Chunks<i32>,
    net: Chunks<i32>,
}

impl PendingLines {
    pub fn push(&mut self, receipt: u32, line_no: i64, v: LineValues) {
        self.receipt.push(receipt);
        self.line_no.push(line_no);
        self.product.push(v.product);
        self.department.push(v.department);
        self.promotion.push(v.promotion);
        self.quantity.push(v.quantity);
        self.gross.push(v.gross);
        self.discount.push(v.discount);
        self.net.push(v.net);
    }

    /// The lines grouped by receipt in time order (`rank` maps each receipt as read to its
    /// place), by number within a receipt; with where each receipt's lines start (and the end
    /// as a last entry). One column is held twice at most while they move.
    pub fn into_sorted(self, rank: &[u32]) -> (Vec<u32>, LineColumns) {
        let start = line_starts(self.receipt.iter(), rank);
        let from = sorted_lines(&start, self.receipt, rank, &self.line_no);
        drop(self.line_no);
        let from = from.as_deref();
        let columns = LineColumns {
            product: self.product.into_column(from),
            department: self.department.into_column(from),
            promotion: self.promotion.into_column(from),
            quantity: self.quantity.into_column(from),
            gross: self.gross.into_column(from),
            discount: self.discount.into_column(from),
            net: self.net.into_column(from),
        };
        (start, columns)
    }
}

/// Where each receipt's lines start once grouped by receipt, with the end as a last entry: a
/// counting sort's prefix sums.
fn line_starts(line_receipt: impl Iterator<Item = u32>, rank: &[u32]) -> Vec<u32> {
    let mut start = vec![0u32; rank.len() + 1];
    for r in line_receipt {
        start[rank[r as usize] as usize + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    start
}

/// For each place in the final order, the line (as read) that goes there. `None` when the
/// lines were read in that order already (ids that sort like receipts and numbers), so no
/// column moves.
fn sorted_lines(start: &[u32], line_receipt: Chunks<u32>, rank: &[u32], line_no: &Chunks<i64>) -> Option<Vec<u32>> {
    let mut next = start.to_vec();
    let mut from = vec![0u32; line_receipt.len];
    let mut in_order = true;
    for (i, r) in line_receipt.iter().enumerate() {
        let slot = &mut next[rank[r as usize] as usize];
        in_order &= *slot as usize == i;
        from[*slot as usize] = i as u32;
        *slot += 1;
    }
    drop(line_receipt);
    for w in start.windows(2) {
        let lines = &mut from[w[0] as usize..w[1] as usize];
        if !lines.is_sorted_by_key(|k| line_no.get(*k as usize)) {
            lines.sort_by_key(|k| line_no.get(*k as usize));
            in_order = false;
        }
    }
    (!in_order).then_some(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks<T: Copy>(values: &[T]) -> Chunks<T> {
        let mut c = Chunks::default();
        values.iter().for_each(|v| c.push(*v));
        c
    }

    #[test]
    fn lines_are_grouped_by_receipt_in_time_order_and_by_number_within_one() {
        // Read by id: receipt B's lines ("B#1", "B#10", "B#2"), then A's ("A#1"); A comes later
        // in time (rank 1), B first (rank 0). Read as receipts 0 = A, 1 = B.
        let rank = [1, 0];
        let receipts = chunks(&[1, 1, 1, 0]);
        let start = line_starts(receipts.iter(), &rank);
        assert_eq!(start, [0, 3, 4]);
        let from = sorted_lines(&start, receipts, &rank, &chunks(&[1, 10, 2, 1]));
        assert_eq!(from.as_deref(), Some(&[0, 2, 1, 3][..]));
    }

    #[test]
    fn lines_read_in_order_stay_where_they_are() {
        let rank = [0, 1];
        let start = line_starts([0, 0, 1].into_iter(), &rank);
        assert_eq!(sorted_lines(&start, chunks(&[0, 0, 1]), &rank, &chunks(&[1, 2, 1])), None);
        // Same receipts, numbers read out of order: a sort, so no longer in place.
        let from = sorted_lines(&start, chunks(&[0, 0, 1]), &rank, &chunks(&[2, 1, 1]));
        assert_eq!(from.as_deref(), Some(&[1, 0, 2][..]));
    }

    #[test]
    fn columns_move_into_the_sorted_order_across_chunks() {
        let n = CHUNK + 3;
        let mut lines = PendingLines::default();
        // Read in reverse time order: receipt i (as read) is the (n - 1 - i)th in time.
        for i in 0..n as u32 {
            let v = LineValues {
                product: i,
                department: 0,
                promotion: 0,
                quantity: 0,
                gross: 0,
                discount: 0,
                net: i as i32 * 2,
            };
            lines.push(i, 1, v);
        }
        let rank: Vec<u32> = (0..n as u32).rev().collect();
        let (start, columns) = lines.into_sorted(&rank);
        assert_eq!((start.len(), start[n]), (n + 1, n as u32));
        assert_eq!(columns.product.len(), n);
        assert_eq!(columns.product[0], n as u32 - 1);
        assert_eq!(columns.product[n - 1], 0);
        assert_eq!(columns.net[1], (n as i32 - 2) * 2);
        assert!(columns.net.capacity() >= n + n / 8, "room for appends");
    }

    #[test]
    fn columns_read_in_order_are_copied_as_they_are() {
        let mut lines = PendingLines::default();
        for i in 0..(2 * CHUNK + 1) as u32 {
            let v = LineValues { product: i, department: 1, promotion: 2, quantity: 3, gross: 4, discount: 5, net: 6 };
            lines.push(i / 4, i64::from(i % 4), v);
        }
        let receipts = (2 * CHUNK) / 4 + 1;
        let rank: Vec<u32> = (0..receipts as u32).collect();
        let (start, columns) = lines.into_sorted(&rank);
        assert_eq!(start[1], 4);
        assert!(columns.product.iter().enumerate().all(|(i, p)| *p == i as u32));
        assert!(columns.department.iter().all(|d| *d == 1));
    }
}
