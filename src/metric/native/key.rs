//! Where an observation falls in an exponential histogram: schemas, bucket keys, bucket bounds.
//!
//! At schema `s` the buckets grow by the factor `2^(2^-s)`; bucket `k` holds the magnitudes in
//! `(2^((k-1)·2^-s), 2^(k·2^-s)]`. Keys are found from the binary exponent and fraction of the
//! value, never from a logarithm, so a value on a boundary lands where Prometheus puts it.

/// The finest resolution: 256 buckets per power of two.
pub const SCHEMA_MAX: i32 = 8;
/// The coarsest resolution: one bucket per 2^16.
pub const SCHEMA_MIN: i32 = -4;

/// The zero bucket's default threshold: 2^-128, a bucket boundary at every schema.
pub const DEFAULT_ZERO_THRESHOLD: f64 = 2.938735877055719e-39;

/// The schema whose bucket growth factor is the largest not above `factor` (which exceeds 1),
/// clamped to [`SCHEMA_MIN`, `SCHEMA_MAX`].
pub fn schema_for_factor(factor: f64) -> i32 {
    let floor = factor.log2().log2().floor();
    if floor <= -f64::from(SCHEMA_MAX) {
        SCHEMA_MAX
    } else if floor >= -f64::from(SCHEMA_MIN) {
        SCHEMA_MIN
    } else {
        -(floor as i32)
    }
}

/// The bucket key of magnitude `value.abs()` at `schema`; `±Inf` take the key above the bucket
/// of the largest finite value. `value` is not NaN.
#[inline]
pub fn key_of(value: f64, schema: i32) -> i32 {
    let infinite = value.is_infinite();
    let magnitude = if infinite { f64::MAX } else { value.abs() };
    let (fraction, exponent) = frexp(magnitude);
    let key = if schema > 0 {
        let shift = (SCHEMA_MAX - schema) as u32;
        let below = (fractions_below(fraction) + (1 << shift) - 1) >> shift;
        below as i32 + (exponent - 1) * (1 << schema)
    } else {
        let mut key = exponent;
        if fraction == 0.5 {
            key -= 1;
        }
        let shift = (-schema) as u32;
        (key + ((1 << shift) - 1)) >> shift
    };
    if infinite { key + 1 } else { key }
}

/// The upper bound of bucket `key` at `schema`. The last bucket of finite values ends at
/// `f64::MAX` (its computed bound would overflow), so the bucket above it, the one of `±Inf`,
/// ends at `+Inf`.
pub fn upper_bound(key: i32, schema: i32) -> f64 {
    if schema <= 0 {
        let exponent = i64::from(key) << (-schema) as u32;
        if exponent == 1024 {
            return f64::MAX;
        }
        // Far outside the finite range either way: 0 or infinity.
        return ldexp(1.0, exponent.clamp(-2000, 2000) as i32);
    }
    let shift = (SCHEMA_MAX - schema) as u32;
    let fraction = FRACTIONS[((key & ((1 << schema) - 1)) as usize) << shift];
    let exponent = (key >> schema) + 1;
    if fraction == 0.5 && exponent == 1025 {
        return f64::MAX;
    }
    ldexp(fraction, exponent)
}

/// How many schema-8 fractions lie below `fraction` (in `[0.5, 1)`). At schema `s` the fractions
/// are every 2^(8-s)-th of these, so `ceil(n / 2^(8-s))` of them lie below it.
///
/// Found with one table look-up and one comparison instead of a search: the top 9 bits of the
/// mantissa split `[0.5, 1)` into 512 cells narrower than the gap between two neighbouring
/// fractions (0.00098 against at least 0.00135), so a cell holds at most one of them, and
/// `FRACTIONS_BEFORE_CELL` counts those below the cell's start.
#[inline]
fn fractions_below(fraction: f64) -> usize {
    let cell = ((fraction.to_bits() >> 43) & 0x1ff) as usize;
    let before = FRACTIONS_BEFORE_CELL[cell] as usize;
    before + usize::from(before < FRACTIONS.len() && FRACTIONS[before] < fraction)
}

/// For each cell of [`fractions_below`], the number of fractions below its start.
static FRACTIONS_BEFORE_CELL: [u16; 512] = {
    let mut table = [0u16; 512];
    let (mut cell, mut below) = (0, 0);
    while cell < 512 {
        let start = 0.5 + cell as f64 / 1024.0;
        while below < FRACTIONS.len() && FRACTIONS[below] < start {
            below += 1;
        }
        table[cell] = below as u16;
        cell += 1;
    }
    table
};

/// `(fraction, exponent)` with `value = fraction · 2^exponent` and `fraction` in `[0.5, 1)`, for a
/// finite, non-negative `value`; `(0, 0)` for zero.
#[inline]
fn frexp(value: f64) -> (f64, i32) {
    let bits = value.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        if value == 0.0 {
            return (0.0, 0);
        }
        // Subnormal: scale into the normal range first.
        let (fraction, exponent) = frexp(value * f64::from_bits(0x43f0_0000_0000_0000)); // 2^64
        return (fraction, exponent - 64);
    }
    let fraction = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (fraction, biased - 1022)
}

/// `fraction · 2^exponent`, exact whenever the result is representable.
fn ldexp(fraction: f64, exponent: i32) -> f64 {
    // Two steps keep each power of two representable (exponents run from about -1100 to 1025).
    let half = exponent / 2;
    fraction * 2f64.powi(half) * 2f64.powi(exponent - half)
}

/// `0.5 · 2^(i/256)` for `i` in `0..256`: the bucket boundaries within one power of two at
/// schema 8, each lower schema using every 2^(8-s)-th. These are client_golang's values (also
/// Prometheus's), which differ from the correctly rounded ones in the last digit here and there:
/// taking the same constants puts a value that sits on a boundary in the bucket Prometheus expects.
#[rustfmt::skip]
const FRACTIONS: [f64; 256] = [
    0.5, 0.5013556375251013, 0.5027149505564014, 0.5040779490592088,
    0.5054446430258502, 0.5068150424757447, 0.5081891574554764, 0.509566998038869,
    0.5109485743270583, 0.5123338964485679, 0.5137229745593818, 0.5151158188430205,
    0.5165124395106142, 0.5179128468009786, 0.5193170509806894, 0.520725062344158,
    0.5221368912137069, 0.5235525479396449, 0.5249720429003435, 0.526395386502313,
    0.5278225891802786, 0.5292536613972564, 0.5306886136446309, 0.5321274564422321,
    0.5335702003384117, 0.5350168559101208, 0.5364674337629877, 0.5379219445313954,
    0.5393803988785598, 0.5408428074966075, 0.5423091811066545, 0.5437795304588847,
    0.5452538663326288, 0.5467321995364429, 0.5482145409081883, 0.549700901315111,
    0.5511912916539204, 0.5526857228508706, 0.5541842058618393, 0.5556867516724088,
    0.5571933712979462, 0.5587040757836845, 0.5602188762048033, 0.5617377836665098,
    0.5632608093041209, 0.564787964283144, 0.5663192597993595, 0.5678547070789026,
    0.5693943173783458, 0.5709381019847808, 0.572486072215902, 0.5740382394200894,
    0.5755946149764913, 0.5771552102951081, 0.5787200368168754, 0.5802891060137493,
    0.5818624293887887, 0.5834400184762408, 0.585021884841625, 0.5866080400818185,
    0.5881984958251406, 0.5897932637314379, 0.5913923554921704, 0.5929957828304968,
    0.5946035575013605, 0.5962156912915756, 0.5978321960199137, 0.5994530835371903,
    0.6010783657263515, 0.6027080545025619, 0.6043421618132907, 0.6059806996384005,
    0.6076236799902344, 0.6092711149137041, 0.6109230164863786, 0.6125793968185725,
    0.6142402680534349, 0.6159056423670379, 0.6175755319684665, 0.6192499490999082,
    0.620928906036742, 0.622612415087629, 0.6243004885946023, 0.6259931389331581,
    0.6276903785123455, 0.6293922197748583, 0.6310986751971253, 0.6328097572894031,
    0.6345254785958666, 0.6362458516947014, 0.637970889198196, 0.6397006037528346,
    0.6414350080393891, 0.6431741147730128, 0.6449179367033329, 0.6466664866145447,
    0.6484197773255048, 0.6501778216898253, 0.6519406325959679, 0.6537082229673385,
    0.6554806057623822, 0.6572577939746774, 0.659039800633032, 0.6608266388015788,
    0.6626183215798706, 0.6644148621029772, 0.6662162735415805, 0.6680225691020727,
    0.6698337620266515, 0.6716498655934177, 0.6734708931164728, 0.6752968579460171,
    0.6771277734684463, 0.6789636531064505, 0.6808045103191123, 0.6826503586020058,
    0.6845012114872953, 0.6863570825438342, 0.688217985377265, 0.690083933630119,
    0.6919549409819159, 0.6938310211492645, 0.6957121878859629, 0.6975984549830999,
    0.6994898362691555, 0.7013863456101023, 0.7032879969095076, 0.7051948041086352,
    0.7071067811865475, 0.7090239421602076, 0.7109463010845827, 0.7128738720527471,
    0.7148066691959849, 0.7167447066838943, 0.718687998724491, 0.7206365595643126,
    0.7225904034885232, 0.7245495448210174, 0.7265139979245261, 0.7284837772007218,
    0.7304588970903234, 0.7324393720732029, 0.7344252166684908, 0.7364164454346837,
    0.7384130729697496, 0.7404151139112358, 0.7424225829363761, 0.7444354947621984,
    0.7464538641456323, 0.7484777058836176, 0.7505070348132126, 0.7525418658117031,
    0.7545822137967112, 0.7566280937263048, 0.7586795205991071, 0.7607365094544071,
    0.762799075372269, 0.7648672334736434, 0.7669409989204777, 0.7690203869158282,
    0.7711054127039704, 0.7731960915705107, 0.7752924388424999, 0.7773944698885442,
    0.7795022001189185, 0.7816156449856788, 0.7837348199827764, 0.7858597406461707,
    0.7879904225539431, 0.7901268813264122, 0.7922691326262467, 0.7944171921585818,
    0.7965710756711334, 0.7987307989543135, 0.8008963778413465, 0.8030678282083853,
    0.805245165974627, 0.8074284071024302, 0.8096175675974316, 0.8118126635086642,
    0.8140137109286738, 0.8162207259936375, 0.8184337248834821, 0.820652723822003,
    0.8228777390769823, 0.8251087869603088, 0.8273458838280969, 0.8295890460808079,
    0.8318382901633681, 0.8340936325652911, 0.8363550898207981, 0.8386226785089391,
    0.8408964152537144, 0.8431763167241966, 0.8454623996346523, 0.8477546807446661,
    0.8500531768592616, 0.8523579048290255, 0.8546688815502312, 0.8569861239649629,
    0.8593096490612387, 0.8616394738731368, 0.8639756154809185, 0.8663180910111553,
    0.8686669176368529, 0.871022112577578, 0.8733836930995842, 0.8757516765159389,
    0.8781260801866495, 0.8805069215187917, 0.8828942179666361, 0.8852879870317771,
    0.8876882462632604, 0.890095013257712, 0.8925083056594671, 0.8949281411607002,
    0.8973545375015533, 0.8997875124702672, 0.9022270839033115, 0.9046732696855155,
    0.9071260877501991, 0.909585556079304, 0.9120516927035263, 0.9145245157024483,
    0.9170040432046711, 0.9194902933879467, 0.9219832844793128, 0.9244830347552253,
    0.9269895625416926, 0.92950288621441, 0.9320230241988943, 0.9345499949706191,
    0.9370838170551498, 0.93962450902828, 0.9421720895161669, 0.9447265771954693,
    0.9472879907934827, 0.9498563490882775, 0.9524316709088368, 0.9550139751351947,
    0.9576032806985735, 0.9601996065815236, 0.9628029718180622, 0.9654133954938133,
    0.9680308967461471, 0.9706554947643201, 0.9732872087896164, 0.9759260581154889,
    0.9785720620876999, 0.9812252401044634, 0.9838856116165875, 0.9865531961276168,
    0.9892280131939752, 0.9919100824251095, 0.9945994234836328, 0.9972960560854698,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_pick_the_schema_whose_growth_does_not_exceed_them() {
        assert_eq!(schema_for_factor(2.0), 0);
        assert_eq!(schema_for_factor(1.1), 3);
        assert_eq!(schema_for_factor(1.0001), SCHEMA_MAX);
        assert_eq!(schema_for_factor(4.0), -1);
        assert_eq!(schema_for_factor(65536.0), SCHEMA_MIN);
        assert_eq!(schema_for_factor(1e300), SCHEMA_MIN);
        assert_eq!(schema_for_factor(2f64.sqrt() + 1e-9), 1);
    }

    #[test]
    fn keys_follow_the_boundaries() {
        // Schema 0: buckets (0.5, 1], (1, 2], (2, 4] have keys 0, 1, 2.
        assert_eq!(key_of(1.0, 0), 0);
        assert_eq!(key_of(1.5, 0), 1);
        assert_eq!(key_of(2.0, 0), 1);
        assert_eq!(key_of(2.0000001, 0), 2);
        assert_eq!(key_of(0.75, 0), 0);
        assert_eq!(key_of(-3.0, 0), 2);
        // Schema 3: factor 2^(1/8); 1.0 ends bucket 0, 2.0 ends bucket 8.
        assert_eq!(key_of(1.0, 3), 0);
        assert_eq!(key_of(1.01, 3), 1);
        assert_eq!(key_of(2.0, 3), 8);
        assert_eq!(key_of(0.5, 3), -8);
        // Negative schemas merge powers of two: at -1, (1, 4] is bucket 1.
        assert_eq!(key_of(4.0, -1), 1);
        assert_eq!(key_of(4.1, -1), 2);
        assert_eq!(key_of(1.0, -1), 0);
        assert_eq!(key_of(0.3, -2), 0);
        // Subnormals and the extremes.
        assert_eq!(key_of(f64::from_bits(1), 0), -1074);
        assert_eq!(key_of(f64::MAX, 0), 1024);
        assert_eq!(key_of(f64::INFINITY, 0), 1025);
        assert_eq!(key_of(f64::NEG_INFINITY, 8), key_of(f64::MAX, 8) + 1);
    }

    #[test]
    fn every_key_lies_within_its_bounds() {
        for schema in SCHEMA_MIN..=SCHEMA_MAX {
            for value in [
                1e-300, 3e-7, 0.001, 0.1, 0.7, 1.0, 1.5, 3.0, 1234.5, 1e12, 1e300,
            ] {
                let key = key_of(value, schema);
                assert!(value <= upper_bound(key, schema), "{value} at {schema}");
                assert!(value > upper_bound(key - 1, schema), "{value} at {schema}");
            }
            assert_eq!(upper_bound(key_of(f64::MAX, schema), schema), f64::MAX);
            assert_eq!(
                upper_bound(key_of(f64::INFINITY, schema), schema),
                f64::INFINITY
            );
        }
        assert_eq!(upper_bound(0, 5), 1.0);
        assert_eq!(upper_bound(8, 3), 2.0);
        assert_eq!(upper_bound(-8, 3), 0.5);
        assert_eq!(upper_bound(1, -2), 16.0);
    }

    #[test]
    fn the_default_zero_threshold_is_a_boundary_everywhere() {
        for schema in SCHEMA_MIN..=SCHEMA_MAX {
            let key = key_of(DEFAULT_ZERO_THRESHOLD, schema);
            assert_eq!(upper_bound(key, schema), DEFAULT_ZERO_THRESHOLD, "{schema}");
        }
    }

    #[test]
    fn the_table_look_up_agrees_with_a_search() {
        let search = |fraction: f64| FRACTIONS.iter().filter(|f| **f < fraction).count();
        let mut fraction = 0.5f64;
        while fraction < 1.0 {
            assert_eq!(fractions_below(fraction), search(fraction), "{fraction}");
            fraction += 0.000_173;
        }
        for (index, bound) in FRACTIONS.iter().enumerate() {
            assert_eq!(fractions_below(*bound), index);
            let above = f64::from_bits(bound.to_bits() + 1);
            assert_eq!(fractions_below(above), index + 1);
        }
        assert_eq!(fractions_below(f64::from_bits(1.0f64.to_bits() - 1)), 256);
    }

    #[test]
    fn frexp_splits_like_the_c_library() {
        assert_eq!(frexp(1.0), (0.5, 1));
        assert_eq!(frexp(0.75), (0.75, 0));
        assert_eq!(frexp(8.0), (0.5, 4));
        assert_eq!(frexp(f64::from_bits(1)), (0.5, -1073));
        assert_eq!(frexp(f64::MAX).1, 1024);
    }
}
