//! Warning education (TRN-5; 第四篇 二(4) 专项警示教育): who a case bulletin reaches. A bulletin is sent to a subtree
//! and, optionally, to some posts; each person who receives it reads and acknowledges it.
use crate::staff::Position;

/// A person receives a bulletin sent to `posts` when it names no post or they hold one of them.
pub fn receives(posts: &[Position], held: &[Position]) -> bool {
    posts.is_empty() || held.iter().any(|p| posts.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulletin_for_posts_reaches_only_their_holders() {
        assert!(receives(&[], &[Position::Clerk]));
        assert!(receives(&[Position::Teller, Position::Guard], &[Position::Guard]));
        assert!(!receives(&[Position::Teller], &[Position::Guard, Position::Driver]));
        assert!(!receives(&[Position::Teller], &[]));
    }
}
