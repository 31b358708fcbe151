package deploy

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/ripplestream/ripple/jobs"
	"github.com/ripplestream/ripple/topology"
)

// TestIntakeDeployment checks the intake service: a Deployment of several
// pods listening beyond loopback on the port they declare, probed on its
// /readyz and /healthz, with the intake's topology and the brokers, behind
// a Service. TestPodMonitorScrapesEveryJob checks its scrape.
func TestIntakeDeployment(t *testing.T) {
	objs := byKind(readManifests(t, "kubernetes"))
	d, ok := objs["Deployment"]["ripple-intake"]
	if !ok {
		t.Fatal("no Deployment ripple-intake")
	}
	c := rippleContainer(t, d.Spec.Selector, d.Spec.Template, "intake")
	pod := d.Spec.Template.Metadata.Labels
	if d.Spec.Replicas < 2 {
		t.Errorf("replicas %d, want 2 or more: producers lose events while the one pod restarts", d.Spec.Replicas)
	}

	// --addr defaults to loopback, which nothing outside the pod reaches
	// (the kubelet's probes included).
	host, port, err := net.SplitHostPort(c.flag("addr"))
	if err != nil || (host != "0.0.0.0" && host != "" && host != "::") {
		t.Errorf("--addr %q, want all interfaces, such as 0.0.0.0:8192", c.flag("addr"))
	}
	if p := c.port("http"); p == 0 || port != strconv.Itoa(p) {
		t.Errorf("container port http %d, --addr %q: they must agree", p, c.flag("addr"))
	}
	for _, p := range []struct {
		what  string
		probe *probe
		path  string
	}{{"readiness", c.ReadinessProbe, "/readyz"}, {"liveness", c.LivenessProbe, "/healthz"}} {
		if p.probe == nil || p.probe.HTTPGet == nil || p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port != "http" {
			t.Errorf("%s probe %s, want GET %s on port http", p.what, p.probe, p.path)
		}
	}

	// On SIGTERM the pod drains (/readyz failing, events still taken)
	// at least as long as the readiness probe takes to see it (a
	// terminating pod also leaves the Service's endpoints, which takes a
	// while to reach every node), then has the intake's 30 s shutdown
	// for requests in flight, all within the grace period.
	drain, err := time.ParseDuration(c.flag("drain-delay"))
	grace := time.Duration(d.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
	var notReady time.Duration
	if rp := c.ReadinessProbe; rp != nil {
		notReady = time.Duration(max(rp.PeriodSeconds, 1)*max(rp.FailureThreshold, 1)) * time.Second
	}
	if err != nil || drain < notReady || drain+30*time.Second > grace {
		t.Errorf("--drain-delay %q with a grace period of %v: want at least the %v readiness takes to fail, and 30 s more within the grace period",
			c.flag("drain-delay"), grace, notReady)
	}

	checkTopologyVolume(t, d.Spec.Template, "intake.yaml")
	top, err := topology.Parse("intake.yaml", []byte(objs["ConfigMap"]["ripple-topology"].Data["intake.yaml"]))
	if err != nil {
		t.Fatal(err)
	}
	if err := top.Validate(jobs.Kinds()); err != nil {
		t.Error(err)
	}
	checkBrokers(t, c, objs)

	svc, ok := objs["Service"]["ripple-intake"]
	if !ok || !subset(svc.Spec.Selector, pod) || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort != "http" {
		t.Errorf("Service ripple-intake: want it to select the pods on port http, got %+v", svc.Spec)
	}
}
