package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/entity"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/wikitext"
)

func depsExplainCmd() *cobra.Command {
	var store, wiki, title string
	cmd := &cobra.Command{
		Use:   "explain --page TITLE",
		Short: "show what a page depends on, i.e. which changes purge it and why",
		Long: `Shows what a page's stored dependency set makes it depend on: the changes
that would purge it, and why. It only reads the store.`,
		Example: "  ripple deps explain --store pebble:/tmp/graph --wiki enwiki --page Douglas_Adams",
		Args:    exactArgs("ripple deps explain --store pebble:/tmp/graph --page Douglas_Adams"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if store == "" || title == "" {
				return errors.New("--store and --page are required, such as: ripple deps explain --store pebble:/tmp/graph --page Douglas_Adams")
			}
			return depsExplain(cmd.Context(), cmd.OutOrStdout(), store, wiki, title)
		},
	}
	cmd.Flags().StringVar(&store, "store", "", storeHelp)
	cmd.Flags().StringVar(&wiki, "wiki", "enwiki", "wiki id")
	cmd.Flags().StringVar(&title, "page", "", "page title (prefixed, underscores)")
	return cmd
}

func depsExplain(ctx context.Context, stdout io.Writer, store, wiki, title string) error {
	st, err := openReadOnlyStore(ctx, store)
	if err != nil {
		return err
	}
	defer st.Close()
	p, ok, err := st.Page(ctx, wiki, title)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s:%s has no stored dependency set; load its ripple/page/dependencies event first", wiki, title)
	}
	fmt.Fprintf(stdout, "%s:%s (revision %d) is purged when:\n", p.Wiki, p.Page.Title, p.RevID)
	fmt.Fprintf(stdout, "  it is edited, deleted, undeleted or moved (page_edit)\n")
	printEdges(stdout, p.Edges(), deps.Scope.Own, "it")
	if !p.Page.Namespace.Transcludable() {
		return nil
	}
	switch {
	case p.PassesOn == nil:
		fmt.Fprintf(stdout, "Its transcluders are purged through it for all of the above.\n")
	default:
		fmt.Fprintf(stdout, "Its transcluders are purged through it when (what it passes on: <noinclude> parts left out, <includeonly> parts in):\n")
		printEdges(stdout, p.Edges(), deps.Scope.PassesOn, "its transcluders")
	}
	if p.Digest == "" {
		fmt.Fprintf(stdout, "No digest of what it passes on: every edit of it purges its transcluders.\n")
	} else {
		fmt.Fprintf(stdout, "Digest of what it passes on: %s (since revision %d); an edit that keeps it purges only this page.\n", p.Digest, p.DigestSince)
	}
	return nil
}

// printEdges prints, for the edges whose scope keep accepts, the change of
// the target that purges who.
func printEdges(w io.Writer, edges []deps.Edge, keep func(deps.Scope) bool, who string) {
	for _, e := range edges {
		if !keep(e.Scope) {
			continue
		}
		switch e.Kind {
		case deps.Transcludes:
			fmt.Fprintf(w, "  %s is edited: %s transcludes it (transclusion)\n", e.Target, who)
		case deps.UsesFile:
			fmt.Fprintf(w, "  %s is uploaded, overwritten or deleted: %s shows it (uses_file)\n", e.Target, who)
		case deps.LinksTo:
			fmt.Fprintf(w, "  %s is created, deleted, undeleted or moved: %s links to it (links_to)\n", e.Target, who)
		case deps.UsesEntity:
			as := make([]string, len(e.Aspects))
			for i, a := range e.Aspects {
				as[i] = string(a)
			}
			fmt.Fprintf(w, "  %s changes in %s: %s uses those aspects (uses_entity)\n", e.Target, strings.Join(as, ", "), who)
		}
	}
}

type dependentsFlags struct{ store, wiki, edge, aspects string }

func depsDependentsCmd() *cobra.Command {
	var f dependentsFlags
	const example = "ripple deps dependents --store pebble:/tmp/graph Template:Infobox"
	cmd := &cobra.Command{
		Use:   "dependents TARGET",
		Short: "list the pages that depend on a title or entity",
		Long: `Lists the pages that depend on TARGET (a title, or an entity id with
--edge uses_entity), one per line, paging through the store. It only reads
the store.`,
		Example: "  " + example + "\n  ripple deps dependents --store pebble:/tmp/graph --edge uses_entity --aspects L.en Q42",
		Args:    exactArgs(example, "TARGET"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return depsDependents(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f, args[0])
		},
	}
	cmd.Flags().StringVar(&f.store, "store", "", storeHelp)
	cmd.Flags().StringVar(&f.wiki, "wiki", "enwiki", "wiki id (for entities, empty means every wiki)")
	cmd.Flags().StringVar(&f.edge, "edge", "transcludes", "edge kind: transcludes, links_to, uses_file or uses_entity")
	cmd.Flags().StringVar(&f.aspects, "aspects", "", "for uses_entity: comma-separated changed aspects, e.g. L.en,C.P31 (empty: every user)")
	return cmd
}

func depsDependents(ctx context.Context, stdout, stderr io.Writer, f dependentsFlags, target string) error {
	if f.store == "" {
		return errors.New("--store is required, such as --store pebble:/tmp/graph")
	}
	kind, err := parseEdge(f.edge)
	if err != nil {
		return err
	}
	q := deps.Query{Wiki: f.wiki, Edge: kind, Target: target}
	if f.aspects != "" {
		if q.Aspects, err = deps.ParseAspects(strings.Split(f.aspects, ",")); err != nil {
			return err
		}
	}
	st, err := openReadOnlyStore(ctx, f.store)
	if err != nil {
		return err
	}
	defer st.Close()
	n := 0
	for {
		found, next, err := st.Dependents(ctx, q)
		if err != nil {
			return err
		}
		for _, d := range found {
			fmt.Fprintf(stdout, "%s:%s\n", d.Wiki, d.Page.Title)
		}
		n += len(found)
		if next == "" {
			break
		}
		q.After = next
	}
	fmt.Fprintf(stderr, "%d dependents\n", n)
	return nil
}

func parseEdge(s string) (deps.EdgeKind, error) {
	for _, k := range deps.EdgeKinds() {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("--edge %q: want transcludes, links_to, uses_file or uses_entity", s)
}

type aspectsFlags struct {
	prior, next, site, wiki, id *string
	asEvent                     *bool
	rev                         *int64
}

func depsAspectsCmd() *cobra.Command {
	var f aspectsFlags
	cmd := &cobra.Command{
		Use:   "aspects",
		Short: "derive the changed usage aspects from two revisions of an entity's JSON",
		Long: `Compares two revisions of a Wikibase entity (its JSON, as
Special:EntityData serves it) and prints the usage aspects the edit changed,
e.g. ["L.en","C.P31"]; with --event, a /ripple/entity/change/1.0.0 event.`,
		Example: "  ripple deps aspects --prior Q42-old.json --next Q42.json --client-site enwiki\n" +
			"  ripple deps aspects --prior Q42-old.json --next Q42.json --event --entity Q42 --rev 7",
		Args: exactArgs("ripple deps aspects --prior Q42-old.json --next Q42.json"),
		RunE: func(cmd *cobra.Command, _ []string) error { return depsAspects(cmd.OutOrStdout(), f) },
	}
	fs := cmd.Flags()
	f.prior = fs.String("prior", "", "entity JSON before the edit (empty: the entity was created)")
	f.next = fs.String("next", "", "entity JSON after the edit (empty: the entity was deleted)")
	f.site = fs.String("client-site", "enwiki", "client wiki whose sitelink change also counts as title (T)")
	f.asEvent = fs.Bool("event", false, "print a ripple/entity/change event instead of the aspect list")
	f.wiki = fs.String("wiki", "wikidatawiki", "repository wiki id, for --event")
	f.id = fs.String("entity", "", "entity id, for --event")
	f.rev = fs.Int64("rev", 0, "entity revision id, for --event")
	return cmd
}

func depsAspects(stdout io.Writer, f aspectsFlags) error {
	prior, next, site, asEvent, wiki, id, rev := f.prior, f.next, f.site, f.asEvent, f.wiki, f.id, f.rev
	read := func(path string) ([]byte, error) {
		if path == "" {
			return nil, nil
		}
		return os.ReadFile(path)
	}
	a, err := read(*prior)
	if err != nil {
		return err
	}
	b, err := read(*next)
	if err != nil {
		return err
	}
	if a == nil && b == nil {
		return errors.New("give --prior, --next or both, such as: ripple deps aspects --prior Q42-old.json --next Q42.json")
	}
	aspects, err := entity.ChangedAspects(a, b, entity.Options{ClientSite: *site})
	if err != nil {
		return err
	}
	if !*asEvent {
		return json.NewEncoder(stdout).Encode(aspects)
	}
	if *id == "" {
		return errors.New("--event needs --entity (and --rev)")
	}
	return json.NewEncoder(stdout).Encode(entity.NewChange("ripple.entity_change", time.Now().UTC(), *wiki, *id, *rev, aspects))
}

type parseFlags struct {
	wiki, title, connected, in *string
	ns                         *int
	id, rev                    *int64
}

func depsParseCmd() *cobra.Command {
	var f parseFlags
	cmd := &cobra.Command{
		Use:   "parse [FILE]",
		Short: "derive a page's dependencies event from its wikitext",
		Long: `Reads a page's wikitext (FILE, --in FILE or stdin) and prints the
/ripple/page/dependencies/2.0.0 event that describes what it depends on:
templates and modules ({{X}}, {{#invoke:M}}), links, files and Wikidata
usage ({{#property:P31}}, {{#statements:P18|from=Q1}}).`,
		Example: "  ripple deps parse --title Douglas_Adams --rev 123 --entity Q42 < Douglas_Adams.wikitext\n" +
			"  ripple deps parse --title Template:Infobox_person --rev 9 Infobox_person.wikitext",
		Args: exactArgs("ripple deps parse --title Douglas_Adams --rev 123 Douglas_Adams.wikitext", "[FILE]"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if cmd.Flags().Changed("in") && *f.in != args[0] {
					return fmt.Errorf("give the input once: FILE %q or --in %q, not both", args[0], *f.in)
				}
				*f.in = args[0]
			}
			return depsParse(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	fs := cmd.Flags()
	f.wiki = fs.String("wiki", "enwiki", "wiki id")
	f.title = fs.String("title", "", "the page's prefixed title (Template:Infobox_person)")
	f.ns = fs.Int("namespace", -1, "the page's namespace id (default: the one its title names)")
	f.id = fs.Int64("page-id", 0, "the page id")
	f.rev = fs.Int64("rev", 0, "the revision id the text belongs to (required: a newer one replaces the page's stored set)")
	f.connected = fs.String("entity", "", "the page's connected Wikidata item, for #property without from=")
	f.in = fs.String("in", "-", "file with the wikitext, - for stdin (or give FILE)")
	return cmd
}

func depsParse(ctx context.Context, stdout io.Writer, f parseFlags) error {
	wiki, title, ns, id, rev, connected := f.wiki, f.title, f.ns, f.id, f.rev, f.connected
	if *title == "" || *rev < 1 {
		return errors.New("--title and --rev (>= 1) are required: the page the wikitext is of, and its revision id")
	}
	r, err := openInput(ctx, *f.in)
	if err != nil {
		return err
	}
	defer r.Close()
	text, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	d, err := wikitext.Parse(*wiki, *title, string(text), wikitext.Options{ConnectedEntity: *connected})
	if err != nil {
		return err
	}
	if *ns < 0 {
		*ns = int(d.Namespace)
	}
	ev := deps.PageDependencies{
		Envelope:  event.New(deps.DependenciesSchema, "ripple.page_dependencies", time.Now().UTC()),
		WikiID:    *wiki,
		Page:      deps.EventPage{PageID: *id, PageTitle: d.Title, NamespaceID: *ns},
		RevID:     *rev,
		Templates: d.Templates, Links: d.Links, Files: d.Files, Entities: eventEntities(d.Entities),
		PassesOnDigest: d.PassesOnDigest,
	}
	if p := d.PassesOn; p != nil {
		ev.PassesOn = &deps.EventSets{Templates: p.Templates, Links: p.Links, Files: p.Files, Entities: eventEntities(p.Entities)}
	}
	return json.NewEncoder(stdout).Encode(ev)
}

// eventEntities returns the entities of a parse as an event lists them.
func eventEntities(us []wikitext.EntityUsage) []deps.EventEntityUsage {
	out := []deps.EventEntityUsage{}
	for _, u := range us {
		out = append(out, deps.EventEntityUsage{ID: u.ID, Aspects: u.Aspects})
	}
	return out
}
