package metrics

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every series.
const Namespace = "slab"

// Run results, the values of the result label of runs_total.
const (
	ResultOK          = "ok"
	ResultPending     = "pending"
	ResultFailed      = "failed"
	ResultRefused     = "refused"
	ResultInterrupted = "interrupted"
)

// Reconcile holds the collectors of one reconcile loop.
type Reconcile struct {
	reg          *prometheus.Registry
	runs         *prometheus.CounterVec
	lastSuccess  prometheus.Gauge
	lastDuration prometheus.Gauge
	drift        prometheus.Gauge
	pending      prometheus.Gauge
	applied      prometheus.Counter
	failures     *prometheus.CounterVec
	capacity     *prometheus.GaugeVec
}

// New registers the collectors in a fresh registry.
func New() *Reconcile {
	sub := "reconcile"
	m := &Reconcile{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: sub, Name: "runs_total",
			Help: "Reconcile runs by result: ok, pending (changes not approved), failed, refused (data loss not allowed), interrupted."}, []string{"result"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: sub, Name: "last_success_timestamp_seconds",
			Help: "Unix time the last run that ended ok or pending finished."}),
		lastDuration: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: sub, Name: "last_run_duration_seconds",
			Help: "How long the last run took, from loading the configuration to releasing the lock."}),
		drift: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: sub, Name: "drift_objects",
			Help: "Objects the last plan found changed outside of slab."}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: sub, Name: "pending_changes",
			Help: "Changes the last plan proposed that were not applied (no -auto-approve, refused, failed or skipped)."}),
		applied: prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Subsystem: sub, Name: "changes_applied_total",
			Help: "Apply steps that succeeded."}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: sub, Name: "failures_total",
			Help: "Failures by stage: state, lock, plan (one per failed run) and apply (one per failed step)."}, []string{"stage"}),
		capacity: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: "pool_capacity_gib",
			Help: "Pool capacity as the driver last reported it: total, free, provisioned, allocated (GiB; +Inf when infinite)."}, []string{"pool", "kind"}),
	}
	m.reg.MustRegister(m.runs, m.lastSuccess, m.lastDuration, m.drift, m.pending, m.applied, m.failures, m.capacity,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Zero series for every result and stage, so that rate() and alerts
	// work before the first occurrence.
	for _, r := range []string{ResultOK, ResultPending, ResultFailed, ResultRefused, ResultInterrupted} {
		m.runs.WithLabelValues(r)
	}
	for _, s := range []string{"state", "lock", "plan", "apply"} {
		m.failures.WithLabelValues(s)
	}
	return m
}

// Run records a finished run.
func (m *Reconcile) Run(result string, finished time.Time, took time.Duration) {
	m.runs.WithLabelValues(result).Inc()
	m.lastDuration.Set(took.Seconds())
	if result == ResultOK || result == ResultPending {
		m.lastSuccess.Set(float64(finished.UnixNano()) / 1e9)
	}
}

// Plan records what the last plan found.
func (m *Reconcile) Plan(drift, pending int) {
	m.drift.Set(float64(drift))
	m.pending.Set(float64(pending))
}

// Pending sets the changes left unapplied after an apply.
func (m *Reconcile) Pending(n int) { m.pending.Set(float64(n)) }

// Applied counts successful apply steps.
func (m *Reconcile) Applied(n int) { m.applied.Add(float64(n)) }

// Failure counts failures at a stage.
func (m *Reconcile) Failure(stage string, n int) { m.failures.WithLabelValues(stage).Add(float64(n)) }

// Capacity is one pool's reported capacity in GiB; a nil value is unknown.
type Capacity struct {
	Pool                   string
	Total, Free            *float64
	Provisioned, Allocated float64
}

// Pools replaces the capacity series with these pools'.
func (m *Reconcile) Pools(pools []Capacity) {
	m.capacity.Reset()
	for _, p := range pools {
		if p.Total != nil {
			m.capacity.WithLabelValues(p.Pool, "total").Set(*p.Total)
		}
		if p.Free != nil {
			m.capacity.WithLabelValues(p.Pool, "free").Set(*p.Free)
		}
		m.capacity.WithLabelValues(p.Pool, "provisioned").Set(p.Provisioned)
		m.capacity.WithLabelValues(p.Pool, "allocated").Set(p.Allocated)
	}
}

// Infinite is the value of an infinite capacity.
var Infinite = math.Inf(1)

// Serve listens on addr and serves /metrics until ctx ends. It returns
// the bound address (addr may ask for port 0) once listening.
func (m *Reconcile) Serve(ctx context.Context, addr string) (string, <-chan error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		done <- err
	}()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	return ln.Addr().String(), done, nil
}
