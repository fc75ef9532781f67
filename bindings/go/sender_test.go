package promemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The sender's end-to-end tests: a Go registry sent by the library's sender thread to a real
// Prometheus 3.16 (Remote Write 2.0, 1.0 after a 415, OTLP) and read back through its query API.

// prometheus3Binary is the Prometheus 3.16 binary `make deps` builds (PROMETHEUS3 overrides the
// path, as for the Rust end-to-end tests). Missing, it fails the test under CI and skips it,
// saying NOT RUN, elsewhere.
func prometheus3Binary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("PROMETHEUS3")
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, ".cache/prometheus_emulator/prometheus-v0.316.0/prometheus")
	}
	if _, err := os.Stat(path); err == nil {
		return path
	}
	message := fmt.Sprintf("Prometheus 3.16 is not built at %s: run `make deps-prometheus3`", path)
	if os.Getenv("CI") != "" {
		t.Fatal(message)
	}
	fmt.Fprintln(os.Stderr, "NOT RUN: "+message)
	t.Skip(message)
	return ""
}

// receiver is a Prometheus 3.16 scraping nothing, receiving pushes.
type receiver struct {
	t    *testing.T
	cmd  *exec.Cmd
	port int
	dir  string
}

// startReceiver starts Prometheus with config after its global section and these flags, and
// waits until it is ready. It is killed at the end of the test.
func startReceiver(t *testing.T, config string, flags ...string) *receiver {
	t.Helper()
	program := prometheus3Binary(t)
	dir := t.TempDir()
	config = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n" + config
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	logFile, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	args := append([]string{
		"--config.file=" + filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
	}, flags...)
	cmd := exec.Command(program, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", program, err)
	}
	r := &receiver{t: t, cmd: cmd, port: port, dir: dir}
	t.Cleanup(r.kill)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(r.url("/-/ready"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus not ready within 60s\n%s", r.logTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (r *receiver) url(path string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", r.port, path) }

func (r *receiver) kill() {
	if r.cmd.Process != nil && r.cmd.ProcessState == nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	}
}

func (r *receiver) logTail() string {
	b, _ := os.ReadFile(filepath.Join(r.dir, "prometheus.log"))
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// query runs an instant query and returns its values by the result's labels (rendered
// name{a="b",...} with the labels sorted, as Prometheus returns them).
func (r *receiver) query(q string) map[string]float64 {
	r.t.Helper()
	resp, err := http.Get(r.url("/api/v1/query?query=" + url.QueryEscape(q)))
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var answer struct {
		Status string `json:"status"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.Status != "success" {
		r.t.Fatalf("query %s: %v %s", q, err, body)
	}
	values := map[string]float64{}
	for _, result := range answer.Data.Result {
		text, _ := result.Value[1].(string)
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			r.t.Fatalf("query %s: value %q", q, text)
		}
		values[fmt.Sprint(result.Metric)] = v
	}
	return values
}

// value is the single value of an instant query.
func (r *receiver) value(q string) float64 {
	r.t.Helper()
	values := r.query(q)
	if len(values) != 1 {
		r.t.Fatalf("query %s: %d results, want 1: %v", q, len(values), values)
	}
	for _, v := range values {
		return v
	}
	return 0
}

// assertValues checks that every query has its single value.
func (r *receiver) assertValues(want map[string]float64) {
	r.t.Helper()
	for q, v := range want {
		if got := r.value(q); got != v {
			r.t.Errorf("%s = %v, want %v", q, got, v)
		}
	}
}

// workload is a registry with one metric of each kind, and the values it was given.
type workload struct {
	registry *Registry
	requests *CounterVec
	temp     *Gauge
	latency  *Histogram
	wait     *Histogram
	rpc      *Summary
}

func newWorkload(t *testing.T) *workload {
	w := &workload{registry: NewRegistry()}
	t.Cleanup(func() { w.registry.Close() })
	w.requests = MustNewCounterVec(CounterOpts{Name: "requests_total", Help: "Requests."}, []string{"code"})
	w.temp = MustNewGauge(GaugeOpts{Name: "temperature_celsius", Help: "Temperature."})
	w.latency = MustNewHistogram(HistogramOpts{Name: "latency_seconds", Help: "Latency.", Buckets: []float64{0.1, 1}})
	w.wait = MustNewHistogram(HistogramOpts{Name: "wait_seconds", Help: "Wait.", NativeHistogramBucketFactor: 1.1})
	w.rpc = MustNewSummary(SummaryOpts{Name: "rpc_seconds", Help: "RPC.", Objectives: map[float64]float64{0.5: 0.05}})
	w.registry.MustRegister(w.requests, w.temp, w.latency, w.wait, w.rpc)
	w.requests.WithLabelValues("200").Add(3)
	w.requests.WithLabelValues("500").Inc()
	w.temp.Set(21.5)
	for _, v := range []float64{0.0625, 0.5, 4} {
		w.latency.Observe(v)
	}
	for _, v := range []float64{0.25, 0.5, 0.5, 1, 1} {
		w.wait.Observe(v)
	}
	for _, v := range []float64{0.125, 0.25, 0.375} {
		w.rpc.Observe(v)
	}
	return w
}

// assertFirst checks the workload's first values under the selector's extra labels.
func (w *workload) assertFirst(r *receiver, sel string) {
	r.t.Helper()
	r.assertValues(map[string]float64{
		`requests_total{code="200",` + sel + `}`:             3,
		`requests_total{code="500",` + sel + `}`:             1,
		`temperature_celsius{` + sel + `}`:                   21.5,
		`latency_seconds_bucket{le="0.1",` + sel + `}`:       1,
		`latency_seconds_bucket{le=~"1(\\.0)?",` + sel + `}`: 2,
		`latency_seconds_bucket{le="+Inf",` + sel + `}`:      3,
		`latency_seconds_count{` + sel + `}`:                 3,
		`latency_seconds_sum{` + sel + `}`:                   4.5625,
		`histogram_count(wait_seconds{` + sel + `})`:         5,
		`histogram_sum(wait_seconds{` + sel + `})`:           3.25,
		`rpc_seconds{quantile="0.5",` + sel + `}`:            0.25,
		`rpc_seconds_count{` + sel + `}`:                     3,
		`rpc_seconds_sum{` + sel + `}`:                       0.75,
	})
}

// update changes every metric; assertSecond checks the result.
func (w *workload) update() {
	w.requests.WithLabelValues("200").Add(2)
	w.temp.Set(-3)
	w.latency.Observe(0.5)
	w.wait.Observe(2)
	w.rpc.Observe(1.25)
}

func (w *workload) assertSecond(r *receiver, sel string) {
	r.t.Helper()
	r.assertValues(map[string]float64{
		`requests_total{code="200",` + sel + `}`:             5,
		`temperature_celsius{` + sel + `}`:                   -3,
		`latency_seconds_bucket{le=~"1(\\.0)?",` + sel + `}`: 3,
		`latency_seconds_count{` + sel + `}`:                 4,
		`latency_seconds_sum{` + sel + `}`:                   5.0625,
		`histogram_count(wait_seconds{` + sel + `})`:         6,
		`histogram_sum(wait_seconds{` + sel + `})`:           5.25,
		`rpc_seconds_count{` + sel + `}`:                     4,
		`rpc_seconds_sum{` + sel + `}`:                       2,
	})
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// An hour: no periodic collection during a test, only those of Flush and Stop.
const noInterval = time.Hour

func TestSenderRemoteWrite2ToPrometheus3(t *testing.T) {
	r := startReceiver(t, "", "--web.enable-remote-write-receiver")
	w := newWorkload(t)
	s, err := NewSender(w.registry, SenderOpts{
		URL:            r.url("/api/v1/write"),
		Interval:       noInterval,
		ExternalLabels: Labels{"job": "rw2", "instance": "i1"},
		Headers:        map[string][]string{"X-Scope-OrgID": {"tenant"}},
		Destination:    "prom",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Flush(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatalf("Flush: %v (last error %q)\n%s", err, s.LastError(), r.logTail())
	}
	w.assertFirst(r, `job="rw2",instance="i1"`)
	w.update()
	if err := s.Flush(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatalf("second Flush: %v", err)
	}
	w.assertSecond(r, `job="rw2",instance="i1"`)
	// The self-metrics travel with the data: the second batch counts the first's samples.
	if v := r.value(`prometheus_emulator_sender_samples_sent_total{destination="prom",job="rw2"}`); v <= 0 {
		t.Errorf("samples sent: %v", v)
	}
	if last := s.LastError(); last != "" {
		t.Errorf("LastError = %q", last)
	}
	if err := s.Stop(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := s.Flush(context.Background()); !errors.Is(err, ErrSenderStopped) {
		t.Fatalf("Flush after Stop: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close after Stop: %v", err)
	}
	if err := s.Close(); err != nil || s.LastError() != "" {
		t.Fatalf("second Close: %v", err)
	}
}

func TestSenderRemoteWriteFallsBackToV1OnPrometheus3(t *testing.T) {
	r := startReceiver(t, "", "--web.enable-remote-write-receiver",
		"--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest")
	w := newWorkload(t)
	s, err := NewSender(w.registry, SenderOpts{
		URL:            r.url("/api/v1/write"),
		Interval:       noInterval,
		ExternalLabels: Labels{"job": "fallback"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Flush(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatalf("Flush: %v (last error %q)\n%s", err, s.LastError(), r.logTail())
	}
	t.Logf("LastError after the fallback: %q", s.LastError())
	if last := s.LastError(); !strings.Contains(last, "415") {
		t.Errorf("LastError = %q, want the 415 that made the sender fall back", last)
	}
	w.assertFirst(r, `job="fallback"`)
	w.update()
	if err := s.Stop(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	w.assertSecond(r, `job="fallback"`)
}

func TestSenderRemoteWriteV1ToPrometheus3(t *testing.T) {
	r := startReceiver(t, "", "--web.enable-remote-write-receiver",
		"--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest")
	w := newWorkload(t)
	err := PushRemoteWrite(ctxTimeout(t, 10*time.Second), r.url("/api/v1/write"), w.registry, SenderOpts{
		Protocol:       RemoteWriteV1,
		ExternalLabels: Labels{"job": "batch"},
	})
	if err != nil {
		t.Fatalf("PushRemoteWrite: %v\n%s", err, r.logTail())
	}
	w.assertFirst(r, `job="batch"`)
}

func TestSenderOTLPToPrometheus3(t *testing.T) {
	r := startReceiver(t, "otlp:\n  translation_strategy: UnderscoreEscapingWithSuffixes\n",
		"--web.enable-otlp-receiver")
	w := newWorkload(t)
	s, err := NewSender(w.registry, SenderOpts{
		URL:                r.url("/api/v1/otlp/v1/metrics"),
		Protocol:           OTLP,
		Interval:           noInterval,
		ResourceAttributes: map[string]string{"service.name": "otlp-app", "service.instance.id": "i1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Flush(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatalf("Flush: %v (last error %q)\n%s", err, s.LastError(), r.logTail())
	}
	w.assertFirst(r, `job="otlp-app",instance="i1"`)
	w.update()
	if err := s.Flush(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatalf("second Flush: %v", err)
	}
	w.assertSecond(r, `job="otlp-app",instance="i1"`)
	if err := s.Stop(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

// A receiver that answers 404 (remote write not enabled): the batch is dropped, not retried.
func TestSenderRejectedBatchesArePrometheus3Errors(t *testing.T) {
	r := startReceiver(t, "")
	w := newWorkload(t)
	s, err := NewSender(w.registry, SenderOpts{URL: r.url("/api/v1/write"), Interval: noInterval})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Flush(ctxTimeout(t, 10*time.Second))
	var e *Error
	if !errors.Is(err, ErrDropped) || !errors.Is(err, ErrHTTP) || !errors.As(err, &e) || errors.Is(err, ErrSendTimeout) {
		t.Fatalf("Flush: %v", err)
	}
	t.Logf("rejected: %v; LastError %q", err, s.LastError())
	if !strings.HasPrefix(e.Message, "pe_sender_flush") || s.LastError() == "" {
		t.Fatalf("message %q, last error %q", e.Message, s.LastError())
	}
}

// With the receiver killed, Flush and Stop end by their deadlines with ErrSendTimeout.
func TestSenderDeadReceiverMeetsDeadlines(t *testing.T) {
	r := startReceiver(t, "", "--web.enable-remote-write-receiver")
	w := newWorkload(t)
	s, err := NewSender(w.registry, SenderOpts{
		URL: r.url("/api/v1/write"), Interval: noInterval, ExternalLabels: Labels{"job": "dead"},
		ConnectTimeout: 200 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Flush(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	w.assertFirst(r, `job="dead"`)
	r.kill()
	w.update()

	deadlineErr := func(what string, err error, began time.Time, limit time.Duration) {
		t.Helper()
		if took := time.Since(began); took > limit+500*time.Millisecond {
			t.Errorf("%s took %v, deadline %v", what, took, limit)
		}
		var e *Error
		if !errors.Is(err, ErrSendTimeout) || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrIO) ||
			!errors.As(err, &e) || !strings.HasPrefix(e.Message, what) {
			t.Errorf("%s: %v", what, err)
		}
	}
	began := time.Now()
	err = s.Flush(ctxTimeout(t, time.Second))
	deadlineErr("pe_sender_flush", err, began, time.Second)
	t.Logf("Flush to a dead receiver: %v after %v", err, time.Since(began))
	if s.LastError() == "" {
		t.Error("no last error with the receiver dead")
	}
	// Cancellation ends the wait at once; the library's own wait ends by the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	began = time.Now()
	if err := s.Flush(ctx); !errors.Is(err, context.Canceled) || time.Since(began) > time.Second {
		t.Errorf("cancelled Flush: %v after %v", err, time.Since(began))
	}
	began = time.Now()
	err = s.Stop(ctxTimeout(t, time.Second))
	deadlineErr("pe_sender_stop", err, began, time.Second)
	t.Logf("Stop with a dead receiver: %v after %v", err, time.Since(began))
	if err2 := s.Stop(context.Background()); err2 != err {
		t.Errorf("second Stop: %v, want the first's %v", err2, err)
	}
}

func TestSenderBadOptions(t *testing.T) {
	registry := NewRegistry()
	defer registry.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	const u = "http://127.0.0.1:1/api/v1/write"
	for _, c := range []struct {
		opts      SenderOpts
		sentinel  error
		fragments []string
	}{
		{SenderOpts{URL: "ftp://host/x"}, ErrInvalidConfig, []string{"pe_sender_start", "only http:// and https://"}},
		{SenderOpts{URL: "http://user:pw@host/x"}, ErrInvalidConfig, []string{"credentials"}},
		{SenderOpts{URL: u, Interval: 5 * time.Millisecond}, ErrInvalidConfig, []string{"interval"}},
		{SenderOpts{URL: u, BackoffMin: time.Second, BackoffMax: time.Millisecond}, ErrInvalidConfig, []string{"pe_sender_start", "0 < min <= max"}},
		{SenderOpts{URL: u, ExternalLabels: Labels{"__reserved": "x"}}, ErrInvalidConfig, []string{"external label \"__reserved\""}},
		{SenderOpts{URL: u, Headers: map[string][]string{"Content-Type": {"x"}}}, ErrInvalidConfig, []string{"set by the sender itself"}},
		{SenderOpts{URL: u, Username: "u", BearerToken: "t"}, ErrInvalidConfig, []string{"pe_sender_start"}},
		{SenderOpts{URL: u, CAFile: ca}, ErrInvalidConfig, []string{"pe_sender_start"}},
		{SenderOpts{URL: u, Protocol: 7}, ErrInvalidValue, []string{"pe_sender_start"}},
		{SenderOpts{URL: u, Timeout: -time.Second}, ErrInvalidConfig, []string{"SenderOpts.Timeout is negative"}},
		{SenderOpts{URL: u, MaxQueueBatches: -1}, ErrInvalidConfig, []string{"SenderOpts.MaxQueueBatches"}},
	} {
		s, err := NewSender(registry, c.opts)
		if s != nil {
			s.Close()
			t.Errorf("NewSender(%+v) started", c.opts)
			continue
		}
		errorIs(t, err, c.sentinel, c.fragments...)
	}
}

// Starting and closing a sender with nothing to send leaves no goroutine or thread behind and
// does not disturb the registry.
func TestSenderCloseWithoutFlush(t *testing.T) {
	registry := NewRegistry()
	defer registry.Close()
	s, err := NewSender(registry, SenderOpts{URL: "http://127.0.0.1:1/api/v1/write", Interval: noInterval})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_ = s.Close()
	if time.Since(began) > DefaultSenderStopTimeout+time.Second {
		t.Fatalf("Close took %v", time.Since(began))
	}
	if err := s.Flush(context.Background()); !errors.Is(err, ErrSenderStopped) {
		t.Fatalf("Flush after Close: %v", err)
	}
}

func TestReadmeSenderIsTheExample(t *testing.T) { readmeHasExample(t, "ExampleNewSender") }

// Flush, LastError, Stop and Close from many goroutines at once: no race, no use after free,
// every Flush ends with nil, a deadline, ErrSenderStopped or a cancellation.
func TestSenderConcurrentFlushStopClose(t *testing.T) {
	registry := NewRegistry()
	defer registry.Close()
	s, err := NewSender(registry, SenderOpts{URL: "http://127.0.0.1:1/api/v1/write", Interval: 10 * time.Millisecond,
		ConnectTimeout: 100 * time.Millisecond, BackoffMax: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 5 {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(50+g*20)*time.Millisecond)
				err := s.Flush(ctx)
				cancel()
				if err != nil && !errors.Is(err, ErrSendTimeout) && !errors.Is(err, ErrSenderStopped) &&
					!errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("Flush: %v", err)
				}
				_ = s.LastError()
			}
		})
	}
	time.Sleep(150 * time.Millisecond)
	wg.Go(func() { _ = s.Stop(ctxTimeout(t, 200*time.Millisecond)) })
	wg.Go(func() { _ = s.Close() })
	wg.Wait()
	if err := s.Close(); err != nil || s.LastError() != "" {
		t.Fatalf("Close after all: %v", err)
	}
}
