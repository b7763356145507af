//! Leadership groups (领导组) a unit sets up by regulation (ORG-4): a chair and members.
use crate::DomainError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// 安全保卫领导组 (篇二 一.3)
    Security,
    /// 消防安全领导组
    FireSafety,
    /// 综合治理领导组
    ComprehensiveGovernance,
    /// 重要岗位审查领导组
    KeyPositionReview,
    /// 处置突发事件领导小组; its chair is the union chairman (预案 第四条)
    EmergencyResponse,
}

impl GroupKind {
    pub const ALL: [GroupKind; 5] = [
        GroupKind::Security,
        GroupKind::FireSafety,
        GroupKind::ComprehensiveGovernance,
        GroupKind::KeyPositionReview,
        GroupKind::EmergencyResponse,
    ];

    pub fn code(self) -> &'static str {
        match self {
            GroupKind::Security => "security",
            GroupKind::FireSafety => "fire_safety",
            GroupKind::ComprehensiveGovernance => "comprehensive_governance",
            GroupKind::KeyPositionReview => "key_position_review",
            GroupKind::EmergencyResponse => "emergency_response",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            GroupKind::Security => "安全保卫领导组",
            GroupKind::FireSafety => "消防安全领导组",
            GroupKind::ComprehensiveGovernance => "综合治理领导组",
            GroupKind::KeyPositionReview => "重要岗位审查领导组",
            GroupKind::EmergencyResponse => "处置突发事件领导小组",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            GroupKind::Security => "Security leadership group",
            GroupKind::FireSafety => "Fire-safety leadership group",
            GroupKind::ComprehensiveGovernance => "Comprehensive governance group",
            GroupKind::KeyPositionReview => "Key-position review group",
            GroupKind::EmergencyResponse => "Emergency response group",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim();
        Self::ALL.into_iter().find(|k| k.code() == raw || k.label_zh() == raw).ok_or_else(|| {
            DomainError::new("kind", format!("未知的领导组类型：{raw}"), format!("unknown group kind: {raw}"))
        })
    }
}

/// A member's role in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupRole {
    /// 组长
    Chair,
    /// 副组长
    DeputyChair,
    /// 成员
    Member,
}

impl GroupRole {
    pub const ALL: [GroupRole; 3] = [GroupRole::Chair, GroupRole::DeputyChair, GroupRole::Member];

    pub fn code(self) -> &'static str {
        match self {
            GroupRole::Chair => "chair",
            GroupRole::DeputyChair => "deputy_chair",
            GroupRole::Member => "member",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            GroupRole::Chair => "组长",
            GroupRole::DeputyChair => "副组长",
            GroupRole::Member => "成员",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            GroupRole::Chair => "Chair",
            GroupRole::DeputyChair => "Deputy chair",
            GroupRole::Member => "Member",
        }
    }
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim();
        Self::ALL.into_iter().find(|k| k.code() == raw || k.label_zh() == raw).ok_or_else(|| {
            DomainError::new("role", format!("未知的组内职务：{raw}"), format!("unknown group role: {raw}"))
        })
    }
}

/// A group has exactly one chair: adding a second chair is refused rather than silently replacing the first.
pub fn check_single_chair(current_chairs: usize, adding: GroupRole) -> Result<(), DomainError> {
    if adding == GroupRole::Chair && current_chairs > 0 {
        return Err(DomainError::new(
            "role",
            "该领导组已有组长，请先将原组长改为成员或移出",
            "the group already has a chair; change or remove the current chair first",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_has_one_chair() {
        assert!(check_single_chair(0, GroupRole::Chair).is_ok());
        assert!(check_single_chair(1, GroupRole::Chair).is_err());
        assert!(check_single_chair(1, GroupRole::Member).is_ok());
    }

    #[test]
    fn group_kinds_parse_from_code_or_chinese() {
        assert_eq!(GroupKind::parse("消防安全领导组"), Ok(GroupKind::FireSafety));
        assert_eq!(GroupKind::parse("security"), Ok(GroupKind::Security));
        assert!(GroupKind::parse("party").is_err());
    }
}
