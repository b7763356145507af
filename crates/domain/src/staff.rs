//! Staff: names, staff numbers, positions, employment kinds and teller-card grades (ORG-2, ORG-6).
use crate::{DomainError, text};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// A post a person holds; one person may hold several (an outlet head is often also its CCTV administrator).
    Position, "positions", "岗位", "position" {
        Chairman => ("chairman", "理事长", "Chairman"),
        Director => ("director", "主任", "Director / head"),
        DeputyInCharge => ("deputy_in_charge", "分管领导", "Deputy in charge"),
        SecurityOfficer => ("security_officer", "保卫人员", "Security officer"),
        Guard => ("guard", "守押人员/经警", "Guard / armed escort"),
        VaultKeeper => ("vault_keeper", "管库员", "Vault keeper"),
        Teller => ("teller", "临柜人员", "Teller"),
        CctvAdmin => ("cctv_admin", "监控管理员", "CCTV administrator"),
        AtmAdmin => ("atm_admin", "ATM管理员", "ATM administrator"),
        Accountant => ("accountant", "会计主管", "Chief accountant"),
        Driver => ("driver", "运钞车驾驶员", "Cash-van driver"),
        Clerk => ("clerk", "综合员", "Clerk"),
    }
);

labelled_enum!(
    /// 第二条: who may be on the security roster.
    Employment, "employment", "用工性质", "employment kind" {
        Formal => ("formal", "在编", "Formal staff"),
        ApprovedContract => ("approved_contract", "经批准短期合同工", "Approved short-term contract"),
        Trainee => ("trainee", "在岗学习人员", "On-the-job trainee"),
    }
);

labelled_enum!(
    /// 第五篇 Q2: four grades of teller card; one person one card, never handed over.
    CardGrade, "card_grade", "柜员卡等级", "teller-card grade" {
        A => ("a", "A级", "Grade A"),
        B => ("b", "B级", "Grade B"),
        Cash => ("cash", "现金", "Cash"),
        Ordinary => ("ordinary", "普通", "Ordinary"),
    }
);

/// A person's name as written on their staff record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffName(String);

impl StaffName {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        text::bounded("name", "姓名", "Name", raw, 32).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A staff number (工号): letters, digits and hyphens, unique across the union.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffNo(String);

impl StaffNo {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let v = text::bounded("staff_no", "工号", "Staff number", raw, 32)?;
        if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(DomainError::new(
                "staff_no",
                "工号只能包含字母、数字和连字符",
                "staff number may hold only letters, digits and hyphens",
            ));
        }
        Ok(Self(v))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mobile or landline number; duty staff must stay reachable (第十六条).
pub fn parse_phone(raw: Option<&str>) -> Result<Option<String>, DomainError> {
    let v = text::optional("phone", "联系电话", "Phone", raw, 20)?;
    if let Some(p) = &v
        && !p.chars().all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ')
    {
        return Err(DomainError::new("phone", "联系电话格式不正确", "phone number is malformed"));
    }
    Ok(v)
}

/// Positions are stored as `,code,code,` so that one `LIKE '%,code,%'` finds a holder on both databases.
pub fn encode_positions(positions: &[Position]) -> String {
    let mut sorted: Vec<Position> = positions.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut out = String::from(",");
    for p in sorted {
        out.push_str(p.code());
        out.push(',');
    }
    out
}

pub fn decode_positions(stored: &str) -> Vec<Position> {
    stored.split(',').filter(|s| !s.is_empty()).filter_map(|s| Position::parse(s).ok()).collect()
}

/// Parse a list of position codes from a form or JSON; at least one is required.
pub fn parse_positions<'a>(raw: impl IntoIterator<Item = &'a str>) -> Result<Vec<Position>, DomainError> {
    let mut out = Vec::new();
    for r in raw {
        if !r.trim().is_empty() {
            out.push(Position::parse(r)?);
        }
    }
    if out.is_empty() {
        return Err(DomainError::new("positions", "请至少选择一个岗位", "choose at least one position"));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A validated staff record, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffDraft {
    pub name: StaffName,
    pub staff_no: StaffNo,
    pub positions: Vec<Position>,
    pub employment: Employment,
    pub key_position: bool,
    pub card_grade: Option<CardGrade>,
    pub phone: Option<String>,
}

impl StaffDraft {
    /// A teller card belongs to the person who operates the counter with it: only counter staff hold one.
    pub fn check(&self) -> Result<(), DomainError> {
        if self.card_grade.is_some()
            && !self.positions.iter().any(|p| matches!(p, Position::Teller | Position::Director | Position::Accountant))
        {
            return Err(DomainError::new(
                "card_grade",
                "只有临柜人员、主任或会计主管才持有柜员卡",
                "only tellers, heads or chief accountants hold a teller card",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_through_storage_sorted_and_deduplicated() {
        let stored = encode_positions(&[Position::VaultKeeper, Position::Teller, Position::Teller]);
        assert_eq!(stored, ",vault_keeper,teller,");
        assert_eq!(decode_positions(&stored), vec![Position::VaultKeeper, Position::Teller]);
    }

    #[test]
    fn positions_parse_from_codes_or_chinese_labels() {
        assert_eq!(parse_positions(["管库员", "teller"]), Ok(vec![Position::VaultKeeper, Position::Teller]));
        assert!(parse_positions(["", " "]).is_err());
        assert!(parse_positions(["astronaut"]).is_err());
    }

    #[test]
    fn staff_numbers_refuse_spaces_and_symbols() {
        assert!(StaffNo::parse("QH-0012").is_ok());
        assert!(StaffNo::parse("QH 0012").is_err());
        assert!(StaffNo::parse("<script>").is_err());
    }

    #[test]
    fn a_vault_keeper_without_counter_duty_holds_no_teller_card() {
        let draft = StaffDraft {
            name: StaffName::parse("王敏").expect("name"),
            staff_no: StaffNo::parse("A1").expect("no"),
            positions: vec![Position::VaultKeeper],
            employment: Employment::Formal,
            key_position: true,
            card_grade: Some(CardGrade::A),
            phone: None,
        };
        assert!(draft.check().is_err());
        assert!(StaffDraft { card_grade: None, ..draft }.check().is_ok());
    }

    #[test]
    fn phone_numbers_are_digits() {
        assert_eq!(parse_phone(Some(" 0357-1234567 ")), Ok(Some("0357-1234567".into())));
        assert!(parse_phone(Some("call me")).is_err());
        assert_eq!(parse_phone(Some("")), Ok(None));
    }
}
