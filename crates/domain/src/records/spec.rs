//! The shape of a record kind's declaration: what it is about, which inputs it asks for and with which words, what it
//! requires, and which checks of other areas it needs. `kinds.rs` holds one such literal per kind; the parse, the app's
//! checks and the web form all read it, so a kind is described in one place.
use crate::staff::Position;

/// Words in Chinese and English (a label, or an error message).
pub type Words = (&'static str, &'static str);

/// Whether an input is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Not asked for (the form hides it).
    Absent,
    /// Asked for; may be left empty.
    Optional,
    /// Must be given; the words say what to do when it is missing.
    Required(Words),
}

impl Need {
    pub const fn shown(self) -> bool {
        !matches!(self, Need::Absent)
    }
}

/// What a record is about, which decides which field names its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    /// An asset of this kind at the unit (an ATM, a vault): its code, the form's label and the message when missing.
    Asset { kind: &'static str, label: Words, missing: Words },
    /// The unit itself.
    Unit,
    /// A person (the staff member reviewed).
    Person,
    /// Another unit, below the one recording (the one inspected or checked).
    TargetUnit,
}

/// A text input: the form's label, the data key it is stored under, its length limit and the name used in the
/// length message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Text {
    pub label: Words,
    pub key: &'static str,
    pub max: usize,
    pub name: Words,
    pub need: Need,
}

/// The name long texts go by in length messages.
const TEXT_NAME: Words = ("说明", "Notes");
const TEXT2_NAME: Words = ("补充说明", "More notes");
/// The length of a note or a plan; a one-line field (a name, a requester) says its own.
pub const LONG_TEXT: usize = 2000;

impl Text {
    /// No such input.
    pub const NONE: Text = Text { label: ("", ""), key: "", max: 0, name: ("", ""), need: Need::Absent };

    /// Free notes, optional, kept as `notes`.
    pub const fn notes(label: Words) -> Text {
        Text { label, key: "notes", max: LONG_TEXT, name: TEXT_NAME, need: Need::Optional }
    }

    /// The main text, required, kept under `key`.
    pub const fn required(label: Words, key: &'static str, missing: Words) -> Text {
        Text { label, key, max: LONG_TEXT, name: TEXT_NAME, need: Need::Required(missing) }
    }

    /// The second, longer text, optional, kept under `key`.
    pub const fn more(label: Words, key: &'static str) -> Text {
        Text { label, key, max: LONG_TEXT, name: TEXT2_NAME, need: Need::Optional }
    }

    /// The second, longer text, required.
    pub const fn more_required(label: Words, key: &'static str, missing: Words) -> Text {
        Text { label, key, max: LONG_TEXT, name: TEXT2_NAME, need: Need::Required(missing) }
    }

    /// A required one-line text (who, which unit), at most `max` characters, named in its messages by `name`.
    pub const fn line(label: Words, name: Words, key: &'static str, max: usize, missing: Words) -> Text {
        Text { label, key, max, name, need: Need::Required(missing) }
    }
}

/// A measured number: its label, range, whether it must be whole, and the factor it is stored with (training hours
/// are kept in tenths).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number {
    pub label: Words,
    pub missing: Words,
    pub min: f64,
    pub max: f64,
    pub whole: bool,
    pub scale: f64,
    pub out_of_range: Words,
}

impl Number {
    /// An amount of money in whole yuan.
    pub const fn amount(label: Words) -> Number {
        Number {
            label,
            missing: ("请填写金额（元）", "enter the amount in yuan"),
            min: 1.0,
            max: 1.0e12,
            whole: true,
            scale: 1.0,
            out_of_range: ("金额须为正的整数（元）", "the amount must be a positive whole number of yuan"),
        }
    }
}

/// The people taking part (a drill's participants): label, data key and the message when none is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct People {
    pub label: Words,
    pub key: &'static str,
    pub missing: Words,
}

/// The second person chosen on the form (not the one who signs in for a two-person kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Second {
    pub label: Words,
    pub need: Need,
    /// Must differ from the performer: the message when it does not.
    pub distinct: Option<Words>,
    /// Must hold one of these posts: the posts and the message when they do not.
    pub post: Option<(&'static [Position], Words)>,
    /// Comes from the units above the record's (a union leader or security officer accompanying a night check,
    /// 第十七条), not from its own staff.
    pub above: bool,
    /// Going without the second person is a breach to record (a visitor without the outlet head), not a refusal.
    pub absent: Option<Breach>,
}

/// A breach of a regulation that a register records as it happened (第五篇: registers record reality): the
/// violation type of the accountability rules it is, and the words that say so, citing the article. The record is
/// stored with it and a violation is proposed for a penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Breach {
    /// A `violation` code of `rulebook/accountability.toml`.
    pub violation: &'static str,
    /// The breach leaves a hazard to rectify: it also raises one (隐患) against the unit.
    pub hazard: bool,
    pub words: Words,
}

/// The posts the performer may act in, and whether the post chosen becomes the record's sub-kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posts {
    pub allowed: &'static [Position],
    pub wrong: Words,
    pub as_subkind: bool,
}

/// Sub-kinds (a drill's kind, a meeting's kind): code and Chinese label, and the messages when missing or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subkinds {
    pub list: &'static [(&'static str, &'static str)],
    pub missing: Words,
    pub unknown: Words,
    /// A sub-kind on the list that is itself a breach (both interlock doors opened for anything else).
    pub breach: Option<(&'static str, Breach)>,
}

impl Subkinds {
    pub const NONE: Subkinds = Subkinds { list: &[], missing: ("", ""), unknown: ("", ""), breach: None };

    /// One must be chosen, with the usual messages.
    pub const fn choose(list: &'static [(&'static str, &'static str)]) -> Subkinds {
        Subkinds {
            list,
            missing: ("请选择类别", "choose the sub-kind"),
            unknown: ("类别不正确", "unknown sub-kind"),
            breach: None,
        }
    }

    /// One must be chosen, and the regulation says which are allowed: one message for missing and unknown.
    pub const fn only(list: &'static [(&'static str, &'static str)], why: Words) -> Subkinds {
        Subkinds { list, missing: why, unknown: why, breach: None }
    }

    /// One must be chosen; the last is allowed on the form but recorded as a breach.
    pub const fn or_breach(
        list: &'static [(&'static str, &'static str)],
        why: Words,
        breach: (&'static str, Breach),
    ) -> Subkinds {
        Subkinds { list, missing: why, unknown: why, breach: Some(breach) }
    }
}

/// The conclusion chosen on the form (normal / problem, pass / fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Results {
    /// Code, Chinese and English label; the first is preselected.
    pub options: &'static [(&'static str, &'static str, &'static str)],
    /// `Required` ones are checked and kept as `result`; optional ones are read by the kind's hook.
    pub need: Need,
    /// The result is also the sub-kind, so a rule can count only some results (reviews that passed).
    pub as_subkind: bool,
}

impl Results {
    pub const NONE: Results = Results { options: &[], need: Need::Absent, as_subkind: false };
}

/// What an unticked check item means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unticked {
    /// It is recorded as "no".
    Recorded,
    /// It must be explained in the text.
    Explained(Words),
    /// It is a breach: the regulation forbids going on without it, and the register records that it happened.
    Breach(Breach),
    /// It is a breach when the second text is given (the items apply only then, so the boxes start unticked).
    BreachWithText2(Breach),
    /// Some items are duties the regulation imposes (a breach when unticked); the others are observations, explained
    /// when unticked if `explain` is given, else recorded as "no" (the CCTV daily check: 提前开机 is a duty of
    /// 第四十四条, a faulty screen is a finding).
    PerItem { explain: Option<Words>, breaches: &'static [(&'static str, Breach)] },
}

/// What the ticks add up to, kept in the record's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    None,
    /// `result`: `normal` when all are ticked, else `abnormal`.
    Normal,
    /// `result`: `complete` or `incomplete`.
    Complete,
    /// `prompted`: whether all are ticked.
    Prompted,
}

/// Photos on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Photos {
    None,
    Optional,
    /// Asked for as the evidence itself (a drill counts only with photos; the rulebook decides).
    Expected,
    /// As `Expected`, and video (mp4) and PDF scans besides photos (影像资料: a drill's deployment, scheme and film).
    Media,
}

/// A check against what other areas hold, run by the app in the record's transaction in the order declared (the first
/// to fail is the one reported); each goes to the area that owns the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The two people are the asset's key holder and code holder (custody); a vault with an open lock change fails.
    KeyAndCode,
    /// The two people hold the cabinet's gun key and ammunition key (arms).
    GunCustody,
    /// The vault's business hours and who may come in with outsiders (the rulebook's vault hours).
    VaultHours,
    /// The amount reaches the rulebook's large-withdrawal amount.
    LargeWithdrawal,
    /// The two guards are the two the roster names for that night (duty).
    DutyRoster,
    /// Neither guard is the registered holder of the vault's key (custody; 第十八条): a breach, recorded.
    DutyWithoutKey,
    /// The emergency plan a drill names, and the steps it rehearsed, are in the plan book in force (EMG-1, TRN-1).
    Plan,
    /// A record closer than the counting rule's spacing to a counted one of the same asset is kept as a repeat
    /// (`records::REPEAT`) and counts once with it (ATM patrols).
    Spacing,
}

/// Kinds written only by another area's procedure: why, and the page where that procedure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Procedure {
    pub why: Words,
    pub page: &'static str,
}

/// The few kinds whose input has a rule no field above can say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    None,
    /// A patrol is normal only when its result says so and every item is ticked; a problem must be described.
    AtmPatrol,
    /// Playback unrelated to business needs the outlet head's consent (第四十六条).
    PlaybackAccess,
}

/// Everything Anbao knows about one record kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KindSpec {
    pub code: &'static str,
    pub label: Words,
    pub about: About,
    pub subkinds: Subkinds,
    pub checklist: &'static [(&'static str, &'static str)],
    pub unticked: Unticked,
    pub outcome: Outcome,
    /// Who did it: `Required` kinds name a performer whose posts decide which rule a record counts for.
    pub performer: Need,
    pub posts: Option<Posts>,
    pub second: Option<Second>,
    /// The person reviewed (for kinds about a person).
    pub subject: Need,
    pub results: Results,
    pub number: Option<Number>,
    pub people: Option<People>,
    pub text: Text,
    pub text2: Text,
    pub photos: Photos,
    /// Both people sign in on the device (SYS-2): the article that says so, shown when the second is missing.
    pub two_person: Option<&'static str>,
    pub checks: &'static [Check],
    pub procedure: Option<Procedure>,
    pub hook: Hook,
}
