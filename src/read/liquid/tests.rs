use super::*;
use crate::model::Meta;
use crate::site::Site;
use std::path::Path;

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn site(dir: &Path) -> Site {
    write(
        dir,
        "_config.yml",
        "title: T\nurl: https://ex.test\nbaseurl: /blog\nsocial:\n  name: me\n",
    );
    write(
        dir,
        "_config_dev.yml",
        "url: http://localhost\nextra: dev\n",
    );
    write(
        dir,
        "_posts/2019-01-01-first.md",
        "---\ntitle: First\ntags: [a]\n---\nx",
    );
    write(dir, "_data/social.yml", "handle: \"@ann\"\n");
    write(
        dir,
        "_data/team/people.csv",
        "name,role\nAnn,writer\nBob,editor\n",
    );
    write(
        dir,
        "_includes/box.html",
        "<div class=\"box\">{{ include.message }}{% if include.nope %}never{% endif %}</div>",
    );
    write(
        dir,
        "_includes/post_figure.html",
        "{% capture src %}/img/{{ include.sub_directory | default: page.img_dir }}/{{ include.file }}{% endcapture %}{% include inner/figure.html src=src caption=include.caption %}",
    );
    write(
        dir,
        "_includes/inner/figure.html",
        "<figure><img src=\"{{ include.src | relative_url }}\"><figcaption>{{ include.caption | shout }}</figcaption></figure>",
    );
    write(dir, "_includes/loop.html", "{% include loop.html %}");
    write(dir, "_includes/broken.html", "{% if %}");
    write(dir, "_posts/part.inc", "relative {{ page.title }}");
    Site::find(dir).unwrap()
}

fn run(src: &str) -> (String, Vec<String>) {
    let d = tempfile::tempdir().unwrap();
    let site = site(d.path());
    let path = d.path().join("_posts/2020-01-01-this.md");
    let meta = Meta {
        title: "This post".into(),
        tags: vec!["x".into(), "y".into()],
        extra: vec![
            ("hero".into(), serde_json::json!("/img/h.png")),
            ("img_dir".into(), serde_json::json!("diagrams")),
        ],
        ..Meta::default()
    };
    let page = Page {
        site: &site,
        path: &path,
        meta: &meta,
    };
    let mut warnings = Vec::new();
    let out = expand(src, &page, &mut warnings).unwrap();
    (out, warnings.into_iter().map(|w| w.message).collect())
}

#[test]
fn variables_and_filters() {
    let (out, w) = run(concat!(
        "![a]({{ site.baseurl }}/img/a.png) {{ \"/img/b.png\" | relative_url }} ",
        "{{ 'c' | absolute_url }} {{ page.title }} {{ site.social.name }} {{ page.hero }} ",
        "{{ site.data.social.handle }} {{ site.data.team.people[1].role }} {{ site.extra }} ",
        "{{ page.url }} {{ page.date | date_to_string }} {{ page.date | date_to_xmlschema }} ",
        "{{ 'a b&c' | cgi_escape }} {{ '<x>' | xml_escape }} {{ 'Hello World!' | slugify }} ",
        "{{ page.tags | jsonify }} {{ 'one two 三四' | number_of_words }} {{ site.url }}"
    ));
    assert_eq!(
        out,
        concat!(
            "![a](/blog/img/a.png) /blog/img/b.png https://ex.test/blog/c This post me /img/h.png ",
            "@ann editor dev /2020/01/01/this.html 01 Jan 2020 2020-01-01T00:00:00+00:00 ",
            "a+b%26c &lt;x&gt; hello-world [\"x\",\"y\"] 4 https://ex.test"
        )
    );
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn site_posts_and_array_filters() {
    let (out, w) = run(concat!(
        "{% for p in site.posts %}[{{ p.title }}]({{ p.url }}){{ p.image }}{% endfor %} ",
        "{{ site.posts | where_exp: 'p', 'p.tags contains \"a\"' | map: 'title' | join: ',' }} ",
        "{% assign g = site.posts | group_by: 'title' %}{{ g[0].name }}:{{ g[0].size }} ",
        "{{ site.tags.a[0].title }}"
    ));
    assert_eq!(out, "[First](/2019/01/01/first.html) First First:1 First");
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn includes_with_parameters_calling_includes() {
    let (out, w) = run(concat!(
        "{% include box.html message=\"Read **this**\" %}\n",
        "{% include post_figure.html file=\"a.png\" caption=\"A {{ page.title }}\" %}\n",
        "{% include_relative part.inc %}\n",
        "{% include image.html url=\"/img/gone.png\" caption=\"Kept\" %}\n",
        "{% include toc.html %}{% include loop.html %}{% include broken.html %}",
    ));
    assert!(
        out.contains("<div class=\"box\">Read **this**</div>"),
        "{out}"
    );
    assert!(
        out.contains(
            "<figure><img src=\"/blog/img/diagrams/a.png\"><figcaption>A This post</figcaption></figure>"
        ),
        "{out}"
    );
    assert!(out.contains("relative This post"), "{out}");
    assert!(
        out.contains("<figure><img src=\"/img/gone.png\" alt=\"Kept\"><figcaption>Kept</figcaption></figure>"),
        "{out}"
    );
    assert!(!out.contains("{%"), "{out}");
    assert_eq!(w.len(), 4, "{w:?}");
    assert_eq!(
        w[..2],
        [
            "unknown Liquid filter `shout`: a site plugin's? its input passed through",
            "unknown Liquid include `toc.html`: not in the site's `_includes/`; removed",
        ],
    );
    assert!(
        w[2].starts_with("Liquid include failed `broken.html: Value expected"),
        "{w:?}"
    );
    assert_eq!(
        w[3],
        "Liquid include failed `loop.html (included in itself)`: left out"
    );
}

#[test]
fn tags() {
    let (out, w) = run(concat!(
        "[first]({% post_url 2019-01-01-first %}) [l]({% link _posts/2019-01-01-first.md %})\n\n",
        "{% highlight c++ linenos %}\nprint('{{ page.title }}')\n{% endhighlight %}\n",
        "{% raw %}{{ kept }}{% endraw %} {% comment %}gone{% endcomment %}",
        "{% if page.tags %}kept text{% endif %}\n\n",
        "{% youtube https://youtu.be/x %}{% note info %}Noted{% endnote %} {{ 'x' | my_filter: 2 }}\n",
        "```\n{% raw %}{{ b }}{% endraw %} {{ page.title }}\n```\n",
    ));
    assert!(out.contains("[first](2019-01-01-first.md) [l](2019-01-01-first.md)"));
    assert!(
        out.contains("```c++ {linenos=true,linenostart=1}\nprint('This post')\n```"),
        "{out}"
    );
    assert!(out.contains("{{ kept }} kept text"), "{out}");
    assert!(out.contains("Noted x\n"), "{out}");
    // Jekyll runs Liquid in code too.
    assert!(out.contains("```\n{{ b }} This post\n```"), "{out}");
    assert_eq!(
        w,
        [
            "unknown Liquid tag `endnote`: a site plugin's? removed, the text around it kept",
            "unknown Liquid tag `note`: a site plugin's? removed, the text around it kept",
            "unknown Liquid tag `youtube`: a site plugin's? removed, the text around it kept",
            "unknown Liquid filter `my_filter`: a site plugin's? its input passed through",
        ]
    );
}

#[test]
fn unknown_variables_are_empty_and_named() {
    let (out, w) = run("[{{ site.nope.deeper }}{{ page.missing }}{{ nothing }}{{ nil }}]");
    assert_eq!(out, "[]");
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(
        w[0].starts_with("unknown Liquid variable `nothing`"),
        "{w:?}"
    );
}

#[test]
fn broken_input_never_panics_and_falls_back() {
    for src in [
        "{{",
        "{%",
        "{{ }}",
        "{% %}",
        "{%- raw -%}",
        "{% highlight %}",
        "{% comment %}x",
        "é{{ 'é' | append: \"é\" }}é",
        "{% include %}",
        "{% include a.html url= %}",
        "```\n{% raw %}",
        "{% post_url %}",
        "{{ site. }}",
        "{{ | }}",
        "{% for x in %}",
        "{% if a b c %}",
        "{{ 1 | divided_by: 0 }}",
    ] {
        run(src);
    }
    let (out, w) = run("Text {% if %} more {{ x }} end");
    assert_eq!(out, "Text  more  end");
    assert!(
        w[0].starts_with("Liquid the engine could not evaluate"),
        "{w:?}"
    );
}

#[test]
fn missing_posts_are_warned_about() {
    let (out, w) = run("[x]({% post_url 2000-01-01-gone %})");
    assert_eq!(out, "[x]()");
    assert!(w[0].starts_with("link to a missing post `2000-01-01-gone`"));
}

#[test]
fn a_site_prefix_before_post_url_or_link_goes() {
    // The site's config: url https://ex.test, baseurl /blog.
    let (out, w) = run(concat!(
        "[a]({{ site.baseurl }}{% post_url 2019-01-01-first %}) ",
        "[b]({{ site.baseurl }}/{% post_url 2019-01-01-first %}#two) ",
        "[c]({{ site.url }}{{ site.baseurl }}{% link _posts/2019-01-01-first.md %}) ",
        "<a href=\"{{ site.baseurl }}{% link about.md %}\">d</a> ",
        "[e](/doc{{ site.baseurl }}{% post_url 2019-01-01-first %})",
    ));
    assert!(
        out.contains(
            "[a](2019-01-01-first.md) [b](2019-01-01-first.md#two) [c](2019-01-01-first.md) "
        ),
        "{out}"
    );
    assert!(
        out.contains("href=\"https://ex.test/blog/about.html\""),
        "{out}"
    );
    // Text that only ends like the prefix stays.
    assert!(out.contains("[e](/doc/blog2019-01-01-first.md)"), "{out}");
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn a_failing_filter_affects_only_its_expression() {
    let (out, w) = run(concat!(
        "Title {{ page.title }}. ",
        "Step {{ \"\" | abs }}, {{ page.nothing | abs }}, {{ \"12px\" | plus: 1 }}, ",
        "{{ \"-2.5\" | abs }}. ",
        "Half {{ 7 | divided_by: 0 }}. ",
        "{% assign n = page.nothing | abs %}{% if n == 0 %}zero{% endif %}",
    ));
    // Ruby Liquid reads the input as a number: "" and nil are 0, "12px" is 12.
    assert!(
        out.starts_with("Title This post. Step 0, 0, 13, 2.5. "),
        "{out}"
    );
    // A filter that still fails passes its input through; the rest is evaluated.
    assert!(out.contains("Half 7. zero"), "{out}");
    assert!(
        w.contains(
            &"Liquid filter failed `divided_by : 0 (Invalid argument)`: its input passed \
                     through, the rest of the post's Liquid evaluated"
                .to_string()
        ),
        "{w:?}"
    );
    assert!(!w.iter().any(|w| w.contains("abs")), "{w:?}");
}
