package promemu

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestStartServer(t *testing.T) {
	r := handlerRegistry()
	server, err := StartServer("127.0.0.1:0", r)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	port := server.Port()
	if port == 0 {
		t.Fatal("no port")
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
	want := gathered(t, r)
	for _, accept := range []string{"", prometheus3Accept} {
		resp, body := get(t, http.MethodGet, url, map[string]string{"Accept": accept, "Accept-Encoding": "gzip"})
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("status %d, encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
		sameValues(t, "native exporter, parsed by expfmt", parsed(t, resp.Header, gunzip(t, body)), want)
	}
	resp, body := get(t, http.MethodGet, url+"?name[]=answer", nil)
	if resp.StatusCode != 200 || string(body) != "# HELP answer Always 42.\n# TYPE answer gauge\nanswer 42\n" {
		t.Fatalf("name[]: %d %q", resp.StatusCode, body)
	}
	if resp, _ := get(t, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/nothing", port), nil); resp.StatusCode != 404 {
		t.Fatalf("404 expected, got %d", resp.StatusCode)
	}

	// Another server on the same port is refused; after Close the port is free again.
	_, err = StartServer(fmt.Sprintf("127.0.0.1:%d", port), r)
	errorIs(t, err, ErrIO, "pe_exporter_start")
	if err := server.Close(); err != nil {
		t.Fatal(err)
	}
	_ = server.Close()
	if server.Port() != 0 {
		t.Fatal("Port after Close")
	}
	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal("the port is still taken after Close:", err)
	}
	listener.Close()
}

func TestStartServerOptions(t *testing.T) {
	server, err := StartServerWith(ServerOpts{
		Addr: "127.0.0.1:0", Workers: 2, ReadTimeout: time.Second, WriteTimeout: time.Second, IdleTimeout: time.Second,
		BasicAuthUser: "scraper", BasicAuthPassword: "secret",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	url := fmt.Sprintf("http://127.0.0.1:%d/metrics", server.Port())
	if resp, _ := get(t, http.MethodGet, url, nil); resp.StatusCode != 401 {
		t.Fatalf("without credentials: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.SetBasicAuth("scraper", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("with credentials: %d", resp.StatusCode)
	}

	for _, opts := range []ServerOpts{
		{Addr: "127.0.0.1:0", Workers: 5000},
		{Addr: "127.0.0.1:0", TLSCertFile: "/nonexistent.pem"},
		{Addr: "127.0.0.1:0", BasicAuthUser: "a:b"},
		{Addr: "127.0.0.1:0", Workers: -1},
		{Addr: "127.0.0.1:0", ReadTimeout: -time.Second},
	} {
		_, err := StartServerWith(opts, nil)
		errorIs(t, err, ErrInvalidConfig)
	}
	_, err = StartServer("not an address", nil)
	errorIs(t, err, ErrIO)
	closed := NewRegistry()
	_ = closed.Close()
	_, err = StartServer("127.0.0.1:0", closed)
	errorIs(t, err, ErrClosed)
}

// A GaugeFunc that blocks costs a scrape under a deadline its own series, not the scrape: the
// answer comes within the announced timeout, with the self-metric counting it.
func TestServerScrapeDeadline(t *testing.T) {
	r := NewRegistry()
	defer r.Close()
	gate := make(chan struct{})
	slow, err := NewGaugeFunc(GaugeOpts{Name: "go_slow_depth", Help: "Slow."}, func() float64 {
		select {
		case <-gate:
		case <-time.After(30 * time.Second):
		}
		return 1
	})
	if err != nil {
		t.Fatal(err)
	}
	fast, _ := NewGaugeFunc(GaugeOpts{Name: "go_fast_depth", Help: "Fast."}, func() float64 { return 2 })
	r.MustRegister(slow, fast)
	server, err := StartServerWith(ServerOpts{Addr: "127.0.0.1:0", CollectorThreads: 2}, r)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	defer close(gate)
	url := fmt.Sprintf("http://127.0.0.1:%d/metrics", server.Port())
	for scrape := 1; scrape <= 2; scrape++ {
		resp, body := get(t, http.MethodGet, url, map[string]string{"X-Prometheus-Scrape-Timeout-Seconds": "1"})
		text := string(body)
		counted := fmt.Sprintf("\nprometheus_emulator_collector_timeout_total{collector=\"go_slow_depth\"} %d\n", scrape)
		if resp.StatusCode != 200 || !strings.Contains(text, "\ngo_fast_depth 2\n") ||
			strings.Contains(text, "go_slow_depth 1") || !strings.Contains(text, counted) {
			t.Fatalf("scrape %d: %d\n%s", scrape, resp.StatusCode, text)
		}
	}
	for _, opts := range []ServerOpts{
		{Addr: "127.0.0.1:0", CollectorThreads: 5000},
		{Addr: "127.0.0.1:0", ScrapeTimeoutMargin: -time.Second},
	} {
		_, err := StartServerWith(opts, nil)
		errorIs(t, err, ErrInvalidConfig)
	}
}

// The Go Handler (negotiating through pe_negotiate_format and pe_accepts_gzip) picks what the
// native exporter picks, header for header.
func TestNegotiationMatchesNativeExporter(t *testing.T) {
	r := handlerRegistry()
	native, err := StartServer("127.0.0.1:0", r)
	if err != nil {
		t.Fatal(err)
	}
	defer native.Close()
	handler := httptest.NewServer(Handler(r))
	defer handler.Close()
	nativeURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", native.Port())

	accepts := []string{
		"", prometheus3Accept, prometheus2Accept, "text/plain", "*/*", "application/*", "text/*",
		"application/openmetrics-text;q=0.5,text/plain;q=0.5", "text/plain;q=0.5,application/openmetrics-text;q=0.5",
		"application/openmetrics-text;version=2.0.0", "application/openmetrics-text;version=\"1.0.0\"",
		"application/openmetrics-text;q=0.1,*/*;q=1", "*/*;q=0.5,application/openmetrics-text;q=0.5",
		"text/plain;version=9.9.9,application/openmetrics-text;q=0.2", "application/openmetrics-text;q=0.9;version=9",
		"garbage", "application/openmetrics-text;q=2", "text/plain;q=0,*/*", "application/openmetrics-text;q=0",
		"Application/OpenMetrics-Text;Version=1.0.0;Q=0.9,text/plain;q=0.8",
		prometheus3NativeAccept, prometheus3OM2Accept,
		"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily",
		"application/vnd.google.protobuf", "application/openmetrics-text;version=2.0.0;q=0.1,text/plain;q=0.5",
	}
	encodings := []string{"", "gzip", "GZIP", "x-gzip", "*", "gzip;q=0", "*;q=0", "gzip;q=0, *", "identity", "deflate, gzip;q=0.5", "gzip;q=bad"}
	for _, accept := range accepts {
		for _, encoding := range encodings {
			header := map[string]string{"Accept": accept, "Accept-Encoding": encoding}
			nativeResp, _ := get(t, http.MethodGet, nativeURL, header)
			goResp, _ := get(t, http.MethodGet, handler.URL, header)
			for _, name := range []string{"Content-Type", "Content-Encoding"} {
				n, g := nativeResp.Header.Get(name), goResp.Header.Get(name)
				if !strings.EqualFold(strings.ReplaceAll(n, " ", ""), strings.ReplaceAll(g, " ", "")) {
					t.Errorf("Accept %q, Accept-Encoding %q: native %s %q, Go %q", accept, encoding, name, n, g)
				}
			}
		}
	}
}
