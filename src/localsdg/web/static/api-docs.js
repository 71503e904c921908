// The API's documentation page: Swagger UI (served from this server) on the OpenAPI document.
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui" });
});
