// Search excerpts for a site opened from disk (see _ext/handbook/web/search_from_disk.py).
//
// Sphinx's search cuts each result's excerpt from the page it fetches; browsers refuse
// fetch() on file:// URLs. From disk only, this loads every page's content
// (_static/search-pages.js, written by the build) and answers those fetches from it.
if (window.location.protocol === "file:") {
  const root = new URL(document.documentElement.dataset.content_root || "./", window.location.href);
  const pages = new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = new URL("_static/search-pages.js", root).href;
    script.onload = () => resolve(window.handbookSearchPages || {});
    script.onerror = () => resolve({});
    document.head.append(script);
  });
  const fetchFromNetwork = window.fetch.bind(window);
  window.fetch = async (resource, options) => {
    const url = new URL(resource instanceof Request ? resource.url : resource, window.location.href);
    if (url.protocol === "file:" && url.href.startsWith(root.href)) {
      const docname = url.href.slice(root.href.length).split(/[?#]/)[0].replace(/\.html$/, "");
      const article = (await pages)[docname];
      if (article !== undefined) {
        return new Response(article, { headers: { "Content-Type": "text/html; charset=utf-8" } });
      }
    }
    return fetchFromNetwork(resource, options);
  };
}
