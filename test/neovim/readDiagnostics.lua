-- Run by test/neovim/neovim.test.ts inside `nvim --headless --clean`: starts the Symmetry Lint
-- server with vim.lsp.start_client (Neovim 0.7 has no vim.lsp.start), attaches it to the sample
-- buffer, waits until the server publishes for it, and writes them as JSON for the test to read.
local sample = os.getenv('SYMMETRY_LINT_SAMPLE')
local server = os.getenv('SYMMETRY_LINT_SERVER')
local out = os.getenv('SYMMETRY_LINT_OUT')
local timeout_ms = tonumber(os.getenv('SYMMETRY_LINT_TIMEOUT_MS') or '30000')

local function finish(result)
  local file = assert(io.open(out, 'w'))
  file:write(vim.fn.json_encode(result))
  file:close()
  vim.cmd('qall!')
end

vim.cmd('edit ' .. vim.fn.fnameescape(sample))
local bufnr = vim.api.nvim_get_current_buf()
-- Set when the server publishes for this file, even an empty list: the analysis has run.
local published = false
local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
local client_id = vim.lsp.start_client({
  name = 'symmetry-lint',
  cmd = { 'node', server, 'lsp', '--stdio' },
  root_dir = vim.fn.fnamemodify(sample, ':p:h'),
  handlers = {
    ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
      default_publish(err, result, ctx, config)
      if result and vim.uri_to_bufnr(result.uri) == vim.api.nvim_get_current_buf() then published = true end
    end,
  },
})
if not client_id then
  finish({ error = 'vim.lsp.start_client returned nil' })
  return
end
vim.lsp.buf_attach_client(bufnr, client_id)

-- Waits for the condition (vim.wait processes events meanwhile); false after the deadline.
local arrived = vim.wait(timeout_ms, function()
  return published
end, 20)

local items = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  table.insert(items, {
    lnum = d.lnum,
    col = d.col,
    end_lnum = d.end_lnum,
    end_col = d.end_col,
    severity = d.severity,
    message = d.message,
    source = d.source,
    code = d.user_data and d.user_data.lsp and d.user_data.lsp.code or vim.NIL,
  })
end
local client = vim.lsp.get_client_by_id(client_id)
finish({
  arrived = arrived,
  server_name = client and client.server_capabilities and client.name or vim.NIL,
  diagnostics = items,
})
