// Draw every chart on the page from the Vega-Lite spec embedded beside it (as SVG).
document.querySelectorAll("[data-vega-spec]").forEach((el) => {
  const spec = JSON.parse(document.getElementById(el.dataset.vegaSpec).textContent);
  vegaEmbed(el, spec, { renderer: "svg", actions: false }).catch((err) => {
    el.textContent = err.message;
  });
});
