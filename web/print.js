// The exercise page's "Print this page" button.
document.querySelector(".print").addEventListener("click", function () {
  window.print();
});
