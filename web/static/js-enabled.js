// Marks the page as having JavaScript before it is drawn, as the GOV.UK Frontend expects
// (an external file: the Content-Security-Policy allows no inline script).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
