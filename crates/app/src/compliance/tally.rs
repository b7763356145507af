//! Counts of due items by status, summed up the org tree.
use super::*;

/// Counts of items by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub met: i64,
    pub partly: i64,
    pub overdue: i64,
    pub open: i64,
}

impl Tally {
    pub fn add(&mut self, s: Status) {
        match s {
            Status::Met => self.met += 1,
            Status::PartlyMet => self.partly += 1,
            Status::Overdue => self.overdue += 1,
            Status::NotYetDue => self.open += 1,
        }
    }
    pub fn merge(&mut self, o: &Tally) {
        self.met += o.met;
        self.partly += o.partly;
        self.overdue += o.overdue;
        self.open += o.open;
    }
    pub fn total(&self) -> i64 {
        self.met + self.partly + self.overdue + self.open
    }
    pub fn judged(&self) -> i64 {
        self.met + self.partly + self.overdue
    }
    /// Met share of the judged items, in tenths of a percent (None when nothing was judged).
    pub fn permille(&self) -> Option<i64> {
        let j = self.judged();
        (j > 0).then(|| self.met * 1000 / j)
    }
    pub fn pct_text(&self) -> String {
        self.permille().map_or("—".into(), |p| format!("{}.{}%", p / 10, p % 10))
    }
}

/// Each unit's own tally (by index into `units`) added to every unit on its path, so a unit's tally counts its whole
/// subtree. Evaluations and summaries roll up through here.
pub fn subtree_totals(units: &[UnitRow], own: impl IntoIterator<Item = (usize, Tally)>) -> HashMap<i64, Tally> {
    let mut out: HashMap<i64, Tally> = HashMap::new();
    for (i, t) in own.into_iter().filter(|(_, t)| t.total() > 0) {
        for a in units[i].path.split('/').filter_map(|s| s.parse::<i64>().ok()) {
            out.entry(a).or_default().merge(&t);
        }
    }
    out
}
