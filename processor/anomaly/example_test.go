package anomaly_test

import (
	"fmt"
	"time"

	"github.com/ripplestream/ripple/processor/anomaly"
)

// The core on its own: one key's counts per minute, steady around 10, a
// spike of 120, then steady again. The alert fires in the spike's minute
// and resolves once five calm minutes have passed.
func Example() {
	d := anomaly.Detector{Bucket: time.Minute, MinHistory: 10}
	d = d.WithDefaults()
	if err := d.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	var st anomaly.State // one key's state; a job keeps it per key
	start := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	counts := []float64{9, 10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10,
		120, 10, 9, 11, 10, 10, 9, 11}
	for i, n := range counts {
		// One Observe per minute here; a job observes each event.
		for _, tr := range d.Observe(&st, start.Add(time.Duration(i)*time.Minute+30*time.Second), n) {
			fmt.Printf("%s %s: %v in [%s, %s), expected %.1f, threshold %.1f, score %.1f\n",
				tr.End.Format("15:04"), tr.Status, tr.Value, tr.Start.Format("15:04"), tr.End.Format("15:04"),
				tr.Baseline, tr.Threshold, tr.Score)
		}
	}
	// Output:
	// 12:21 firing: 120 in [12:20, 12:21), expected 10.0, threshold 21.9, score 46.5
	// 12:26 resolved: 10 in [12:25, 12:26), expected 10.8, threshold 23.2, score 0.3
}

// The ready job for client errors: count each error signature's events per
// minute, alert on spikes, and push the alerts to Alertmanager.
func ExampleJob() {
	job, err := anomaly.Job(anomaly.Config{
		Name:            "client-errors-anomaly",
		Input:           "mediawiki.client.error",
		Output:          "ripple.alert",
		Key:             anomaly.KeyField("error_signature"),
		AlertName:       "ClientErrorRateAnomaly",
		KeyLabel:        "signature",
		Labels:          map[string]string{"severity": "warning", "team": "web"},
		AlertmanagerURL: "http://127.0.0.1:9093",
		Detector:        anomaly.Detector{Bucket: time.Minute, Threshold: 6, Consecutive: 2, CoolDown: 10 * time.Minute},
	})
	fmt.Println(job.Name, job.Outputs[0].Stream(), job.Timer != nil, job.Loop != nil, err)
	// Output:
	// client-errors-anomaly ripple.alert true true <nil>
}
