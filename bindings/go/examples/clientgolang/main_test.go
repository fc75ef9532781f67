package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// prometheus3 is the Prometheus 3.16 binary `make deps` builds (PROMETHEUS3 overrides the path,
// as for the Rust end-to-end tests in tests/support/prometheus.rs). Missing, it fails the test
// under CI and skips it, saying NOT RUN, elsewhere.
func prometheus3(t *testing.T) string {
	path := os.Getenv("PROMETHEUS3")
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, ".cache/prometheus_emulator/prometheus-v0.316.0/prometheus")
	}
	if _, err := os.Stat(path); err == nil {
		return path
	}
	message := fmt.Sprintf("Prometheus 3.16 is not built at %s: run `make deps-prometheus3` (about 13 minutes once)", path)
	if os.Getenv("CI") != "" {
		t.Fatal(message)
	}
	fmt.Fprintln(os.Stderr, "NOT RUN: "+message)
	t.Skip(message)
	return ""
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestPrometheus3ScrapesOneMetricsEndpoint runs the service, has the C library do some work,
// and waits until Prometheus 3.16, scraping /metrics every second, returns client_golang's Go
// and process metrics, the C library's and the service's own.
func TestPrometheus3ScrapesOneMetricsEndpoint(t *testing.T) {
	program := prometheus3(t)
	service, err := newService()
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(service)
	defer server.Close()
	for _, kind := range []string{"resize", "resize", "encode"} {
		resp, err := http.Get(server.URL + "/work?n=3&kind=" + kind)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	dir := t.TempDir()
	target := server.Listener.Addr().String()
	config := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"+
		"  - job_name: service\n    static_configs:\n      - targets: ['%s']\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	logFile, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(program,
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address=127.0.0.1:"+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", program, err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	logTail := func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "prometheus.log"))
		if len(b) > 3000 {
			b = b[len(b)-3000:]
		}
		return string(b)
	}

	want := map[string]func(float64) bool{
		`worklib_jobs_total{kind="resize"}`:            func(v float64) bool { return v == 6 },
		`worklib_jobs_total{kind="encode"}`:            func(v float64) bool { return v == 3 },
		`worklib_queue_depth`:                          func(v float64) bool { return v == 97 },
		`service_requests_total{path="/work"}`:         func(v float64) bool { return v == 3 },
		`go_goroutines`:                                func(v float64) bool { return v > 0 },
		`go_memstats_alloc_bytes`:                      func(v float64) bool { return v > 0 },
		`process_cpu_seconds_total`:                    func(v float64) bool { return v > 0 },
		`process_resident_memory_bytes`:                func(v float64) bool { return v > 0 },
		`up{job="service"}`:                            func(v float64) bool { return v == 1 },
		`count(go_gc_duration_seconds{job="service"})`: func(v float64) bool { return v > 0 },
	}
	deadline := time.Now().Add(30 * time.Second)
	for query, ok := range want {
		for {
			value, found := queryValue(port, query)
			if found && ok(value) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: got %v (found %v) from Prometheus 3.16\n%s", query, value, found, logTail())
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// queryValue runs an instant query and returns its single value.
func queryValue(port int, query string) (float64, bool) {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api/v1/query?query=%s", port, url.QueryEscape(query)))
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var answer struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &answer) != nil || len(answer.Data.Result) != 1 {
		return 0, false
	}
	text, _ := answer.Data.Result[0].Value[1].(string)
	value, err := strconv.ParseFloat(text, 64)
	return value, err == nil
}
