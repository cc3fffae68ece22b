//! `optctl quant iv`.

use predicates::str::contains;

use crate::harness::Home;

#[test]
fn one_option_round_trips_a_known_volatility() {
    let home = Home::new();
    // Price of a call at 25% vol (S=100, K=105, T=0.25, r=5%, q=1%), from the pricer.
    let r = home.json([
        "quant", "iv", "--right", "call", "--spot", "100", "--strike", "105", "--expiry", "0.25",
        "--rate", "0.05", "--div", "0.01", "--price", "3.0", "--json",
    ]);
    let iv = r["iv"].as_f64().unwrap();
    assert!((0.2..0.3).contains(&iv), "{iv}");
    assert!((r["model_price"].as_f64().unwrap() - 3.0).abs() < 1e-9);
    let delta = r["greeks"]["delta"].as_f64().unwrap();
    assert!((0.0..1.0).contains(&delta));
    let out = home
        .cmd([
            "quant", "iv", "--right", "put", "--spot", "100", "--strike", "105", "--expiry",
            "0.25", "--price", "6",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains('%'));
}

#[test]
fn no_solution_and_missing_flags_are_exit_2() {
    let home = Home::new();
    home.cmd([
        "quant", "iv", "--right", "call", "--spot", "100", "--strike", "50", "--expiry", "1",
        "--price", "10",
    ])
    .assert()
    .code(2)
    .stderr(contains("lower bound"));
    home.cmd(["quant", "iv", "--right", "call", "--spot", "100"])
        .assert()
        .code(2)
        .stderr(contains("--strike"));
}

#[test]
fn csv_streams_with_bad_rows_skipped_and_named() {
    let home = Home::new();
    let input = "Right,Spot,Strike,T_Years,Rate,Div,Price,note\n\
                 call,100,105,0.25,0.05,0.01,3.0,a\n\
                 put,100,abc,0.25,0.05,0.01,3.0,b\n\
                 call,100,50,1,0,0,10,c\n";
    let out = home
        .cmd(["quant", "iv"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].ends_with("iv,delta,gamma,theta,vega,rho,error"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("call,100,105,0.25,0.05,0.01,3.0,a,0.2"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains("lower bound"), "{}", lines[2]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The column is named as the file spells it.
    assert!(stderr.contains("line 3, column Strike"), "{stderr}");
    home.cmd(["quant", "iv"])
        .write_stdin("right,spot\ncall,1\n")
        .assert()
        .code(2)
        .stderr(contains("strike"));
}

#[test]
fn negative_rates_and_yields_are_numbers_not_flags() {
    let home = Home::new();
    let r = home.json([
        "quant", "iv", "--right", "call", "--spot", "100", "--strike", "105", "--expiry", "0.25",
        "--rate", "-0.005", "--div", "-0.01", "--price", "3", "--json",
    ]);
    assert_eq!(r["rate"], -0.005);
    assert_eq!(r["div"], -0.01);
    assert!((r["model_price"].as_f64().unwrap() - 3.0).abs() < 1e-9);
}

#[test]
fn csv_with_json_streams_one_object_per_row() {
    let home = Home::new();
    let input = "Right,Spot,Strike,T_Years,Rate,Div,Price,note\n\
                 call,100,105,0.25,-0.005,0,3.0,a\n\
                 put,100,abc,0.25,0.05,0.01,3.0,b\n\
                 call,100,50,1,0,0,10,c\n";
    let out = home
        .cmd(["quant", "iv", "--json"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0]["line"].as_u64(), rows[0]["note"].as_str()),
        (Some(2), Some("a"))
    );
    assert_eq!(rows[0]["rate"], -0.005);
    assert!((0.2..0.3).contains(&rows[0]["iv"].as_f64().unwrap()));
    assert!(rows[0]["error"].is_null());
    assert_eq!(rows[1]["line"], 4);
    assert!(rows[1]["iv"].is_null() && rows[1]["delta"].is_null());
    assert!(rows[1]["error"].as_str().unwrap().contains("lower bound"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 3, column Strike"));
}

#[test]
fn the_table_leaves_missing_greeks_empty_and_writes_extremes_in_scientific() {
    let home = Home::new();
    // A price on the lower bound: IV 0, no greeks.
    let out = home
        .cmd([
            "quant", "iv", "--right", "call", "--spot", "100", "--strike", "50", "--expiry", "1",
            "--price", "50",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(!table.contains("NaN"), "{table}");
    assert!(table.contains("50.0000"), "{table}");
    // A three-trillion underlying: vega, rho and price in scientific notation.
    let out = home
        .cmd([
            "quant", "iv", "--right", "call", "--spot", "3e12", "--strike", "3e12", "--expiry",
            "1", "--price", "3e11",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("3.0000e11"), "{table}");
    assert!(!table.contains("300000000000"), "{table}");
}
