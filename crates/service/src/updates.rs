//! The yearly dynamic adjustment of a village (动态调整): its submission and approval, the lock
//! that follows, what the updated data propose, and households not updated for too long.
