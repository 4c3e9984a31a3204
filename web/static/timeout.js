// Warns a signed-in person before their session times out, with a way to stay signed in.
//
// The page's <body> carries data-session-minutes (WEB_SESSION_MINUTES) and
// data-session-token (the session's form token) when someone is signed in. Two minutes
// before the session would end, a dialog says so; "Stay signed in" posts the token to
// /session/stay (which keeps the session going) and the dialog closes. If nothing is
// done, the page is loaded again when the time is up, and the server sends it to sign
// in, saying why. Without JavaScript none of this runs and every page still works.
(function () {
  'use strict'

  var body = document.body
  var minutes = Number(body.getAttribute('data-session-minutes'))
  var token = body.getAttribute('data-session-token')
  if (!minutes || !token || !window.fetch) return

  var SESSION = minutes * 60 * 1000
  var WARN_BEFORE = Math.min(2 * 60 * 1000, SESSION / 2)
  var timers = []
  var box = null
  var lastFocus = null
  var endsAt = 0

  function later (fn, ms) { timers.push(window.setTimeout(fn, ms)) }
  function clearTimers () {
    timers.forEach(window.clearTimeout)
    timers = []
  }

  function schedule () {
    clearTimers()
    endsAt = Date.now() + SESSION
    later(warn, SESSION - WARN_BEFORE)
    // A few seconds after the server's own timeout, so it has surely ended there too.
    later(timedOut, SESSION + 5000)
  }

  function timeLeft () {
    var left = Math.ceil((endsAt - Date.now()) / 60000)
    if (left <= 1) return 'in 1 minute'
    return 'in ' + left + ' minutes'
  }

  function element (tag, className, text) {
    var made = document.createElement(tag)
    if (className) made.className = className
    if (text) made.textContent = text
    return made
  }

  function build () {
    var supported = typeof HTMLDialogElement === 'function'
    box = element(supported ? 'dialog' : 'div',
      supported ? 'app-timeout govuk-!-padding-6' : 'govuk-notification-banner app-timeout')
    box.setAttribute('aria-labelledby', 'app-timeout-heading')
    box.setAttribute('aria-describedby', 'app-timeout-text')
    if (!supported) {
      box.setAttribute('role', 'alertdialog')
      box.setAttribute('tabindex', '-1')
    }
    var inner = element('div', supported ? '' : 'govuk-notification-banner__content')
    var heading = element('h2', 'govuk-heading-m', 'You’re about to be signed out')
    heading.id = 'app-timeout-heading'
    var text = element('p', 'govuk-body')
    text.id = 'app-timeout-text'
    var group = element('div', 'govuk-button-group')
    var stay = element('button', 'govuk-button', 'Stay signed in')
    stay.type = 'button'
    stay.setAttribute('data-module', 'govuk-button')
    stay.addEventListener('click', staySignedIn)
    var leave = element('a', 'govuk-link', 'Sign out')
    leave.href = '/sign-out'
    group.appendChild(stay)
    group.appendChild(leave)
    inner.appendChild(heading)
    inner.appendChild(text)
    inner.appendChild(group)
    box.appendChild(inner)
    // Escape means "not yet": the same as staying signed in.
    box.addEventListener('cancel', function (event) {
      event.preventDefault()
      staySignedIn()
    })
    var main = document.getElementById('main-content') || body
    if (supported) body.appendChild(box)
    else main.insertBefore(box, main.firstChild)
  }

  function warn () {
    if (!box) build()
    lastFocus = document.activeElement
    document.getElementById('app-timeout-text').textContent =
      'For your security, we will sign you out ' + timeLeft() + '. Anything you have not saved will be lost.'
    if (box.showModal) {
      if (!box.open) box.showModal()
    } else {
      box.hidden = false
      box.focus()
    }
  }

  function hide () {
    if (!box) return
    if (box.close && box.open) box.close()
    else box.hidden = true
    if (lastFocus && lastFocus.focus) lastFocus.focus()
  }

  function staySignedIn () {
    window.fetch('/session/stay', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'csrf_token=' + encodeURIComponent(token)
    }).then(function (answer) {
      if (answer.status === 204) {
        hide()
        schedule()
      } else {
        timedOut()
      }
    }, timedOut)
  }

  function timedOut () {
    clearTimers()
    // The same page again, by GET: the server sends it to sign in if the session has ended.
    window.location.assign(window.location.pathname + window.location.search)
  }

  schedule()
})()
