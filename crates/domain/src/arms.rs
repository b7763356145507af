//! Guns and ammunition (ARMS-1..2): a gun and the ammunition that serves it are never kept by the same person or
//! in the same cabinet (枪弹分离、双人保管), and a checkout moves requested → approved → issued → returned, with the
//! approver someone other than the requester.
use crate::DomainError;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutStatus {
    Requested,
    Approved,
    Rejected,
    Issued,
    Returned,
}

impl CheckoutStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "requested" => Self::Requested,
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            "issued" => Self::Issued,
            "returned" => Self::Returned,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Issued => "issued",
            Self::Returned => "returned",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Requested => "待审批",
            Self::Approved => "已批准待发放",
            Self::Rejected => "未批准",
            Self::Issued => "已领出",
            Self::Returned => "已归还",
        }
    }

    /// May the checkout move from `self` to `next`?
    pub fn may_become(self, next: Self) -> bool {
        matches!(
            (self, next),
            (Self::Requested, Self::Approved)
                | (Self::Requested, Self::Rejected)
                | (Self::Approved, Self::Issued)
                | (Self::Issued, Self::Returned)
        )
    }
}

const SOURCE: &str = "篇五《全省农村信用社2012年安全保卫工作安排意见》五：严格落实枪弹双人分离保管";

/// Where a gun or a lot of its ammunition is kept, and by whom.
#[derive(Debug, Clone, Copy)]
pub struct Keeping {
    pub keeper: i64,
    pub cabinet: i64,
}

/// A gun and its ammunition must be apart: different keepers and different cabinets.
pub fn check_apart(gun: Keeping, ammo: Keeping) -> Result<(), DomainError> {
    if gun.keeper == ammo.keeper {
        return Err(DomainError::new(
            "keeper_id",
            format!("枪支和其弹药不得由同一人保管（{SOURCE}）"),
            "a gun and its ammunition may not be kept by the same person",
        ));
    }
    if gun.cabinet == ammo.cabinet {
        return Err(DomainError::new(
            "cabinet_id",
            format!("枪支和其弹药不得存放在同一枪弹柜（{SOURCE}）"),
            "a gun and its ammunition may not share a cabinet",
        ));
    }
    Ok(())
}

/// The approver of a checkout is never its requester.
pub fn check_approver(requester_staff: i64, approver_staff: i64) -> Result<(), DomainError> {
    if requester_staff == approver_staff {
        return Err(DomainError::new(
            "approver",
            "审批人不能是领用人本人（篇五 五：枪弹出入库必须登记、必须审批）",
            "the approver may not be the person drawing the gun",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gun_and_its_ammunition_are_kept_apart() {
        let gun = Keeping { keeper: 1, cabinet: 10 };
        assert_eq!(check_apart(gun, Keeping { keeper: 1, cabinet: 11 }).map_err(|e| e.field), Err("keeper_id"));
        assert_eq!(check_apart(gun, Keeping { keeper: 2, cabinet: 10 }).map_err(|e| e.field), Err("cabinet_id"));
        assert!(check_apart(gun, Keeping { keeper: 2, cabinet: 11 }).is_ok());
    }

    #[test]
    fn a_checkout_moves_only_forward() {
        use CheckoutStatus::*;
        assert!(Requested.may_become(Approved));
        assert!(!Requested.may_become(Issued));
        assert!(!Rejected.may_become(Approved));
        assert!(!Returned.may_become(Issued));
        assert!(check_approver(3, 3).is_err());
    }
}
