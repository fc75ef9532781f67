// Package promemu is the Go binding of prometheus_emulator, a Prometheus instrumentation library
// whose engine is written in Rust and shipped as a C-ABI library. Go programs get the same
// metrics, the same registries and byte-identical exposition as the C, C++ and Python programs
// using the library, and Go programs that embed C or C++ code using it share its default
// registry (DefaultRegistry) with that code.
//
// # The model
//
// The API follows client_golang. Every metric is a family: a name, help, optional unit and label
// names. NewCounter, NewGauge, NewHistogram, NewSummary, NewInfo and NewEnum make families
// without labels, which are updated directly; the ...Vec constructors make families with label
// names, whose children WithLabelValues and With return:
//
//	requests := promemu.MustNewCounterVec(promemu.CounterOpts{
//		Name: "http_requests_total",
//		Help: "Requests served.",
//	}, []string{"method", "code"})
//	promemu.MustRegister(requests)
//	requests.WithLabelValues("GET", "200").Inc()
//
// A vec keeps the children it has bound in a Go map keyed by a hash of the label values, so a
// repeated WithLabelValues costs a hash and a map read in Go; only the update crosses into C.
// Keep the child (get := requests.WithLabelValues("GET", "200")) for the hottest paths.
// CurryWith fixes some label values, as in client_golang: the curried vec shares the family and
// its children, and its lookups take the remaining values
// (requests.MustCurryWith(promemu.Labels{"method": "GET"}).WithLabelValues("200")).
//
// Options bound the series of a family over time: MaxSeries caps a vec, SeriesTTL expires the
// children nobody updates (such a vec keeps none in Go, so that the library can free them),
// ConstLabels adds fixed labels to every series, and WrapRegistererWithPrefix and
// WrapRegistererWith make views of a registry that add a prefix and labels to what is
// registered through them.
//
// Metrics are registered in a Registry (NewRegistry, or DefaultRegistry through the package-level
// Register, MustRegister and Unregister), which renders them: WriteText in Prometheus text 0.0.4
// or 1.0.0, OpenMetrics 1.0, OpenMetrics 2.0 or protobuf, Gather as structured families and samples,
// Handler as an http.Handler for any mux (HandlerFor with promhttp's options: ErrorHandling,
// ErrorLog, MaxRequestsInFlight, Timeout, EnableOpenMetrics), StartServer as the library's own
// HTTP exporter on its own threads. A Pusher sends a registry to a Pushgateway; a Sender pushes
// it every interval, from a thread of the library's, to a Remote Write (2.0 or 1.0) or OTLP
// receiver. Registry.SetStyle chooses how the text is written: the zero Style is the default,
// client_golang's text but for the order of OpenMetrics metadata lines (StyleClientGolang is
// exact), and StyleClientPython is prometheus_client's (1.0, _created gauge families,
// registration order).
//
// # Collectors and client_golang
//
// Collector is client_golang's interface (Describe and Collect): Go code implements it with
// NewDesc and const metrics (NewConstMetric, NewConstHistogram, NewConstSummary,
// NewConstNativeHistogram, their ...WithCreatedTimestamp forms, NewMetricWithTimestamp,
// NewMetricWithExemplars), and Register makes it a custom collector of the library, which calls
// Collect at each collection; creation times and exemplars reach the exposition too. Sub-packages complete the set:
// promauto (constructors that register), testutil (ToFloat64, CollectAndCompare, ...), and
// clientgolang, the bridge to client_golang in both directions (a promemu registry as a
// prometheus.Gatherer with exact dto families, and a prometheus.Gatherer, such as one holding
// client_golang's Go and process collectors, served by this package's Handler and exporter, its
// created timestamps and exemplars included).
// The main package does not depend on client_golang.
//
// Moving code from client_golang is mostly a matter of changing the import. Where this package
// differs: constructors return an error as well (NewCounter → (*Counter, error); MustNew...
// panic as client_golang's constructors do); Registry is a concrete type, not the Registerer and
// Gatherer interfaces; Gather returns this package's families (clientgolang.NewGatherer gives
// dto ones); Metric.Write fills a Point, not a dto.Metric; exemplar methods return an error;
// HistogramVec.CurryWith and SummaryVec.CurryWith return their own vec type (there is no
// ObserverVec); Handler offers OpenMetrics, while HandlerFor's zero options, as promhttp's, do not;
// handles have Close (see Handles); registering the same collector twice does nothing; and a
// Go collector's points that the library refuses are left out rather than failing the scrape.
// See README.md.
//
// # Names
//
// Metric and label names may be any UTF-8 (app.requests_total, label http.method), as in
// Prometheus 3; SetNameValidationScheme(LegacyValidation) brings back the classic character sets
// for the whole process, Registry.SetNameValidationScheme for one registry. How a name outside the
// legacy set is written is the exposition's EscapingScheme, with prometheus/common/model's names:
// NoEscaping quotes it in the text formats ({"app.requests_total",method="GET"} 1),
// UnderscoreEscaping (the default, but for OpenMetrics 2.0), DotsEscaping and
// ValueEncodingEscaping rewrite it as EscapeName (model.EscapeName) does. Handler takes the format
// and the escaping from the Accept header (Negotiate) and states both in its Content-Type;
// WriteTextEscaped and ExposeEscaped choose them directly.
//
// Histograms keep native buckets with client_golang's options
// (HistogramOpts.NativeHistogramBucketFactor above 1, and the other NativeHistogram... fields);
// Histogram.NativeState reads them back, and protobuf and OpenMetrics 2.0 expose them.
//
// # Errors
//
// Every status of the C API reaches Go as an *Error carrying the status and the library's
// message (which names the C function that failed); errors.Is matches it against the sentinel of
// its status (ErrInvalidName, ErrLabelCount, ErrDuplicate...). Constructors return errors and
// have Must... forms that panic, as client_golang's do. Hot-path updates (Inc, Add, Set, Observe)
// return nothing, like client_golang's: an invalid value (a negative counter increment, NaN where
// the library refuses it) panics with an *Error matching ErrInvalidValue, and changes nothing.
//
// # Handles
//
// Each Go value holds one reference to a C handle. Close releases it (a registry keeps its own
// reference, so a registered metric stays exposed); a finalizer releases it when the value is
// unreachable without Close. No Go pointer is kept on the C side: callback metrics reach their Go
// function through a runtime/cgo.Handle. Strings are passed to C as copies: a string is cut at
// its first NUL byte, as C strings are.
//
// # Building
//
// The package links the library's static archive from the repository: build it first with
// `cargo build --release` at the repository root (-tags promemu_debug links target/debug after
// `cargo build` instead), or link an installed copy through pkg-config with -tags
// promemu_pkgconfig. See README.md.
package promemu

//go:generate go run ./internal/cmd/genwrap
