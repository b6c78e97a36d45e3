//! Draws: determinism, strata, every refusal, verification of tampering, and properties.

use super::*;
use proptest::prelude::*;
use rand::RngCore;

fn seed(b: u8) -> Seed {
    Seed::from_bytes([b; SEED_LEN])
}

fn simple(ids: &[&str], size: u32) -> DrawSpec {
    DrawSpec {
        purpose: "2026年第二季度暗访 抽取村".into(),
        frame: ids.iter().map(|i| Candidate::new(i)).collect(),
        design: Design::Simple { size },
    }
}

fn numbered(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("H{i:04}")).collect()
}

fn stratified() -> DrawSpec {
    let mut frame = Vec::new();
    for t in ["T1", "T2", "T3"] {
        for v in 0..8 {
            frame.push(Candidate::in_stratum(&format!("{t}-V{v}"), t));
        }
    }
    DrawSpec {
        purpose: "第三方评估 分乡镇抽样".into(),
        frame,
        design: Design::Stratified {
            sizes: [
                ("T1".to_string(), 2),
                ("T2".to_string(), 5),
                ("T3".to_string(), 8),
            ]
            .into_iter()
            .collect(),
        },
    }
}

#[test]
fn the_same_seed_gives_the_same_sample_whatever_the_input_order() {
    let ids = numbered(50);
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let a = simple(&refs, 10);
    let mut reversed = refs.clone();
    reversed.reverse();
    let mut b = simple(&reversed, 10);
    // White space around ids does not change anything either.
    b.frame[3].id = format!("  {} ", b.frame[3].id);
    assert_eq!(draw(&seed(7), &a).unwrap(), draw(&seed(7), &b).unwrap());
    assert_eq!(a.canonical_text(), b.canonical_text());
    assert_eq!(commit(&seed(7), &a).unwrap(), commit(&seed(7), &b).unwrap());
    let s = draw(&seed(7), &a).unwrap();
    assert_eq!(s.len(), 10);
}

#[test]
fn a_different_seed_gives_a_different_sample() {
    let ids = numbered(200);
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let spec = simple(&refs, 20);
    let a = draw(&seed(1), &spec).unwrap();
    let b = draw(&seed(2), &spec).unwrap();
    assert_ne!(a, b);
    let sa: std::collections::BTreeSet<_> = a.drawn().collect();
    let sb: std::collections::BTreeSet<_> = b.drawn().collect();
    assert!(sa.intersection(&sb).count() < 20);
}

#[test]
fn the_draw_is_pinned_to_the_documented_algorithm() {
    // Recomputes the draw by hand from the module documentation: if this ever changes, every
    // published draw stops verifying.
    let spec = simple(&["c", "a", "b", "e", "d"], 3);
    let mut rng = ChaCha20Rng::from_seed([9u8; 32]);
    let mut pool: Vec<&str> = vec!["a", "b", "c", "d", "e"];
    for i in 0..3 {
        let m = (5 - i) as u64;
        let zone = (u64::MAX / m) * m;
        let j = loop {
            let x = rng.next_u64();
            if x < zone {
                break (x % m) as usize;
            }
        };
        pool.swap(i, i + j);
    }
    let s = draw(&seed(9), &spec).unwrap();
    assert_eq!(s.groups.len(), 1);
    assert_eq!(s.groups[0].ids, pool[..3].to_vec());
    // And a known answer, so that a change of ChaCha20 stream would show too.
    assert_eq!(s.groups[0].ids, ["e", "a", "d"]);
}

#[test]
fn stratified_sizes_are_honoured_in_sorted_order_of_strata() {
    let spec = stratified();
    let s = draw(&seed(3), &spec).unwrap();
    let sizes: Vec<(Option<&str>, usize)> = s
        .groups
        .iter()
        .map(|g| (g.stratum.as_deref(), g.ids.len()))
        .collect();
    assert_eq!(
        sizes,
        vec![(Some("T1"), 2), (Some("T2"), 5), (Some("T3"), 8)]
    );
    for g in &s.groups {
        let t = g.stratum.as_deref().unwrap();
        assert!(g.ids.iter().all(|id| id.starts_with(t)), "{g:?}");
    }
}

#[test]
fn areas_are_stratified_by_their_ancestor() {
    let codes: Vec<AreaCode> = ["510304100201", "510304100202", "510304101201"]
        .iter()
        .map(|c| AreaCode::parse(c).unwrap())
        .collect();
    let frame = candidates_by_area(&codes, AreaLevel::Township).unwrap();
    assert_eq!(frame[0].stratum.as_deref(), Some("510304100000"));
    assert_eq!(frame[2].stratum.as_deref(), Some("510304101000"));
    let county = AreaCode::parse_short("510304").unwrap();
    assert!(matches!(
        candidates_by_area(&[county], AreaLevel::County),
        Err(DrawError::AreaNotBelow { .. })
    ));
}

#[test]
fn every_refusal() {
    let s = seed(1);
    assert_eq!(draw(&s, &simple(&[], 1)), Err(DrawError::EmptyFrame));
    assert_eq!(
        draw(&s, &simple(&["a", "b", " a"], 1)),
        Err(DrawError::DuplicateId { id: "a".into() })
    );
    assert_eq!(
        draw(&s, &simple(&["a", "  "], 1)),
        Err(DrawError::BadId { id: "".into() })
    );
    assert!(matches!(
        draw(&s, &simple(&["a", &"x".repeat(65)], 1)),
        Err(DrawError::BadId { .. })
    ));
    assert_eq!(
        draw(&s, &simple(&["a", "b"], 0)),
        Err(DrawError::ZeroSize { stratum: None })
    );
    assert_eq!(
        draw(&s, &simple(&["a", "b"], 3)),
        Err(DrawError::TooFew {
            stratum: None,
            wanted: 3,
            available: 2
        })
    );
    let mut no_purpose = simple(&["a"], 1);
    no_purpose.purpose = " ".into();
    assert_eq!(draw(&s, &no_purpose), Err(DrawError::BadPurpose));

    let mut spec = stratified();
    if let Design::Stratified { sizes } = &mut spec.design {
        sizes.insert("T2".into(), 9);
    }
    assert_eq!(
        draw(&s, &spec),
        Err(DrawError::TooFew {
            stratum: Some("T2".into()),
            wanted: 9,
            available: 8
        })
    );
    let mut spec = stratified();
    if let Design::Stratified { sizes } = &mut spec.design {
        sizes.insert("T2".into(), 0);
    }
    assert_eq!(
        draw(&s, &spec),
        Err(DrawError::ZeroSize {
            stratum: Some("T2".into())
        })
    );
    let mut spec = stratified();
    if let Design::Stratified { sizes } = &mut spec.design {
        sizes.insert("T9".into(), 1);
    }
    assert!(matches!(
        draw(&s, &spec),
        Err(DrawError::TooFew { available: 0, .. })
    ));
    let mut spec = stratified();
    if let Design::Stratified { sizes } = &mut spec.design {
        sizes.remove("T3");
    }
    assert_eq!(
        draw(&s, &spec),
        Err(DrawError::StratumWithoutSize {
            stratum: "T3".into()
        })
    );
    let mut spec = stratified();
    spec.frame[0].stratum = None;
    assert!(matches!(
        draw(&s, &spec),
        Err(DrawError::MissingStratum { .. })
    ));
    let mut spec = stratified();
    spec.design = Design::Stratified {
        sizes: BTreeMap::new(),
    };
    assert_eq!(draw(&s, &spec), Err(DrawError::NoStrata));
    let mut spec = simple(&["a", "b"], 1);
    spec.frame[1].stratum = Some("T1".into());
    assert!(matches!(
        draw(&s, &spec),
        Err(DrawError::UnexpectedStratum { .. })
    ));
    let mut spec = stratified();
    if let Design::Stratified { sizes } = &mut spec.design {
        sizes.insert(" T1".into(), 1);
    }
    assert!(matches!(draw(&s, &spec), Err(DrawError::BadStratum { .. })));
    // A spec that cannot be drawn cannot be committed to either.
    assert_eq!(commit(&s, &simple(&[], 1)), Err(DrawError::EmptyFrame));
}

#[test]
fn seeds_and_commitments_are_read_from_hex() {
    let s = seed(0xab);
    assert_eq!(Seed::from_hex(&s.to_hex()).unwrap(), s);
    assert_eq!(
        Seed::from_hex(&format!(" {} ", s.to_hex().to_uppercase())).unwrap(),
        s
    );
    assert_eq!(
        Seed::from_hex("abcd"),
        Err(DrawError::SeedLength {
            expected: 32,
            found: 4
        })
    );
    assert!(matches!(
        Seed::from_hex(&"zz".repeat(32)),
        Err(DrawError::NotHex { .. })
    ));
    assert_eq!(
        Seed::from_hex(&"é".repeat(32)),
        Err(DrawError::SeedLength {
            expected: 32,
            found: 32
        })
    );
    assert!(matches!(
        Seed::from_hex(&"é".repeat(64)),
        Err(DrawError::NotHex { .. })
    ));
    assert_eq!(
        format!("{s:?}"),
        "Seed(..)",
        "a seed does not leak into logs"
    );
    let c = commit(&s, &stratified()).unwrap();
    assert_eq!(c.as_str().len(), 64);
    assert_eq!(Commitment::parse(&c.as_str().to_uppercase()).unwrap(), c);
    assert_eq!(Commitment::parse("12"), Err(DrawError::BadCommitment));
    assert_ne!(Seed::derive(b"a"), Seed::derive(b"b"));
    assert_eq!(Seed::derive(b"a"), Seed::derive(b"a"));
}

#[test]
fn the_commitment_hashes_the_documented_text() {
    let spec = simple(&["b", "a"], 1);
    let s = seed(5);
    let text = commitment_text(&s, &spec);
    assert_eq!(
        text,
        format!(
            "jingzhun.draw.commitment.v1\nseed:{}\nspec:{}",
            "05".repeat(32),
            r#"{"design":{"kind":"simple","size":1},"format":"jingzhun.draw.v1","frame":[{"id":"a"},{"id":"b"}],"purpose":"2026年第二季度暗访 抽取村"}"#
        )
    );
    assert_eq!(
        commit(&s, &spec).unwrap().as_str(),
        hex::encode(Sha256::digest(text.as_bytes()))
    );
}

#[test]
fn the_canonical_text_reads_back() {
    let spec = stratified();
    let text = spec.canonical_text();
    let back = DrawSpec::parse(&text).unwrap();
    assert_eq!(back.canonical_text(), text);
    assert_eq!(back, spec.normalised());
    assert_eq!(draw(&seed(4), &back), draw(&seed(4), &spec));
    assert_eq!(back.digest(), spec.digest());
    assert!(matches!(
        DrawSpec::parse("{}"),
        Err(DrawError::BadSpecText { .. })
    ));
    let other = text.replace("jingzhun.draw.v1", "v0");
    assert!(matches!(
        DrawSpec::parse(&other),
        Err(DrawError::BadSpecText { .. })
    ));
    // A readable but undrawable spec is refused with its own reason.
    let empty = r#"{"design":{"kind":"simple","size":1},"format":"jingzhun.draw.v1","frame":[],"purpose":"x"}"#;
    assert_eq!(DrawSpec::parse(empty), Err(DrawError::EmptyFrame));
}

#[test]
fn verify_accepts_an_honest_draw_and_detects_tampering() {
    let spec = stratified();
    let s = seed(11);
    let c = commit(&s, &spec).unwrap();
    let sample = draw(&s, &spec).unwrap();
    let v = verify(&s, &spec, &c, &sample);
    assert!(v.is_valid(), "{v:?}");

    // The order within a stratum does not matter.
    let mut shuffled = sample.clone();
    shuffled.groups[1].ids.reverse();
    assert!(verify(&s, &spec, &c, &shuffled).is_valid());

    // A swapped household.
    let mut tampered = sample.clone();
    let out = tampered.groups[0].ids[0].clone();
    let replacement = spec
        .frame
        .iter()
        .find(|c| c.stratum.as_deref() == Some("T1") && !sample.groups[0].ids.contains(&c.id))
        .unwrap()
        .id
        .clone();
    tampered.groups[0].ids[0] = replacement.clone();
    let v = verify(&s, &spec, &c, &tampered);
    assert!(v.commitment_matches);
    assert!(!v.sample_matches && !v.is_valid());
    assert_eq!(
        v.missing,
        vec![Drawn {
            stratum: Some("T1".into()),
            id: out
        }]
    );
    assert_eq!(
        v.unexpected,
        vec![Drawn {
            stratum: Some("T1".into()),
            id: replacement
        }]
    );

    // A unit claimed twice.
    let mut doubled = sample.clone();
    let first = doubled.groups[2].ids[0].clone();
    doubled.groups[2].ids.push(first);
    assert!(!verify(&s, &spec, &c, &doubled).sample_matches);

    // A wrong seed: the commitment fails (and so does the sample).
    let v = verify(&seed(12), &spec, &c, &sample);
    assert!(!v.commitment_matches && !v.is_valid());

    // A changed frame: the commitment fails even with the right seed.
    let mut changed = spec.clone();
    changed.frame.pop();
    let v = verify(&s, &changed, &c, &sample);
    assert!(!v.commitment_matches);

    // A changed purpose, too.
    let mut renamed = spec.clone();
    renamed.purpose = "另一次抽样".into();
    assert!(!verify(&s, &renamed, &c, &sample).commitment_matches);

    // A spec that cannot run is reported, not a panic.
    let v = verify(&s, &simple(&[], 1), &c, &sample);
    assert_eq!(v.spec_refused, Some(DrawError::EmptyFrame));
    assert!(!v.is_valid());
}

#[test]
fn refusals_have_chinese_messages() {
    for e in [
        DrawError::EmptyFrame,
        DrawError::TooFew {
            stratum: Some("T1".into()),
            wanted: 3,
            available: 2,
        },
        DrawError::SeedLength {
            expected: 32,
            found: 4,
        },
    ] {
        assert!(!e.zh().is_empty());
        assert!(!e.to_string().is_empty());
    }
}

fn stratified_spec() -> impl Strategy<Value = (DrawSpec, Vec<usize>)> {
    proptest::collection::vec(1usize..12, 1..5)
        .prop_flat_map(|counts| {
            let sizes: Vec<_> = counts.iter().map(|c| 1..=*c).collect();
            (Just(counts), sizes, any::<u64>())
        })
        .prop_map(|(counts, sizes, shuffle)| {
            let mut frame = Vec::new();
            for (s, n) in counts.iter().enumerate() {
                for i in 0..*n {
                    frame.push(Candidate::in_stratum(
                        &format!("S{s}-{i}"),
                        &format!("S{s}"),
                    ));
                }
            }
            // Some input order other than the sorted one.
            let len = frame.len();
            frame.rotate_left((shuffle as usize) % len);
            let spec = DrawSpec {
                purpose: "属性测试".into(),
                frame,
                design: Design::Stratified {
                    sizes: sizes
                        .iter()
                        .enumerate()
                        .map(|(s, k)| (format!("S{s}"), *k as u32))
                        .collect(),
                },
            };
            (spec, sizes)
        })
}

proptest! {
    /// Each stratum's sample has exactly the size asked, no unit twice, and only units of that
    /// stratum of the frame; the input order changes nothing; the draw verifies.
    #[test]
    fn a_sample_is_the_size_asked_without_duplicates_from_the_frame(
        (spec, sizes) in stratified_spec(),
        bytes in any::<[u8; 32]>(),
    ) {
        let s = Seed::from_bytes(bytes);
        let sample = draw(&s, &spec).unwrap();
        prop_assert_eq!(sample.groups.len(), sizes.len());
        for (g, k) in sample.groups.iter().zip(&sizes) {
            prop_assert_eq!(g.ids.len(), *k);
            let mut ids = g.ids.clone();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), *k);
            for id in &g.ids {
                prop_assert!(spec.frame.iter().any(|c| &c.id == id && c.stratum == g.stratum));
            }
        }
        let mut reversed = spec.clone();
        reversed.frame.reverse();
        prop_assert_eq!(&draw(&s, &reversed).unwrap(), &sample);
        let c = commit(&s, &spec).unwrap();
        prop_assert!(verify(&s, &reversed, &c, &sample).is_valid());
    }

    /// Simple designs: the same, over frames of any size.
    #[test]
    fn a_simple_sample_is_the_size_asked(n in 1usize..300, k in 1usize..300, b in any::<u8>()) {
        let ids = numbered(n);
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let spec = simple(&refs, k as u32);
        match draw(&seed(b), &spec) {
            Ok(sample) => {
                prop_assert!(k <= n);
                prop_assert_eq!(sample.len(), k);
                let mut got: Vec<_> = sample.groups[0].ids.clone();
                got.sort();
                got.dedup();
                prop_assert_eq!(got.len(), k);
                prop_assert!(got.iter().all(|g| ids.contains(g)));
            }
            Err(e) => {
                prop_assert!(k > n);
                prop_assert_eq!(e, DrawError::TooFew { stratum: None, wanted: k as u32, available: n });
            }
        }
    }

    /// No text makes the reader panic.
    #[test]
    fn parsing_any_text_does_not_panic(text in ".{0,200}") {
        let _ = DrawSpec::parse(&text);
        let _ = Seed::from_hex(&text);
        let _ = Commitment::parse(&text);
    }
}
