// Ask before a form that removes or undoes something is sent: the question is the form's
// data-question (an inline onsubmit would be blocked by the pages' content security policy).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.question;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
