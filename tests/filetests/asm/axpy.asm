# axpy (float, array(float64, 1d, C), array(float64, 1d, C), array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 32 }
  subq $0x20, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 8(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
  movq %r13, 0x10(%rsp)
  unwind SaveReg { clobber_offset: 16, reg: p13i }
block0:
  vmovsd (%rdi), %xmm0
  movq 8(%rdi), %rax
  movq 0x10(%rdi), %rax
  movq 0x18(%rdi), %r9
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %rax
  movq 0x38(%rdi), %r8
  movq 0x40(%rdi), %rax
  movq 0x48(%rdi), %rax
  movq 0x50(%rdi), %rax
  movq 0x58(%rdi), %rcx
  movq 0x60(%rdi), %rax
  movl 4(%rdx), %eax
  leal 1(%rax), %r10d
  movl %r10d, 4(%rdx)
  jmp     label1
block1:
  movl 8(%rdx), %r10d
  leal 1(%rax), %eax
  cmpl %r10d, %eax
  jnbe    label23; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq 0x18(%rdi), %rax
  movq %rax, %r11
  addq $0x0, %r11
  seto %r10b
  cmpq %r9, %r11
  setg %r9b
  orl %r10d, %r9d
  testb %r9b, %r9b
  jnz     label5; j label6
block6:
  movq %rax, %r10
  addq $0x0, %r10
  seto %r9b
  cmpq %r8, %r10
  setg %r8b
  orl %r9d, %r8d
  testb %r8b, %r8b
  jnz     label7; j label8
block8:
  movq %rax, %r9
  addq $0x0, %r9
  seto %r8b
  cmpq %rcx, %r9
  setg %cl
  orl %r8d, %ecx
  testb %cl, %cl
  jnz     label9; j label10
block10:
  movq 0x48(%rdi), %rcx
  movq 0x58(%rdi), %r8
  leaq (%rcx, %r8, 8), %r10
  movq 8(%rdi), %r8
  cmpq %r8, %r10
  setbe %r11b
  leaq (%r8, %rax, 8), %r9
  cmpq %rcx, %r9
  setbe %r9b
  orl %r9d, %r11d
  movq 0x28(%rdi), %r9
  cmpq %r9, %r10
  setbe %r12b
  movq 0x38(%rdi), %r10
  leaq (%r9, %r10, 8), %r10
  cmpq %rcx, %r10
  setbe %r10b
  orl %r10d, %r12d
  uninit  %r10
  xorq %r10, %r10
  leaq -4(%rax), %r13
  movabsq $0x8000000000000000, %rbx
  cmpq (%rip), %rax
  cmovgeq %r13, %rbx
  vmovsd (%rdi), %xmm0
  vpshufd $0x44, %xmm0, %xmm1
  testb %r11b, %r12b
  jnz     label11; j label12
block11:
  jmp     label13
block12:
  jmp     label16
block13:
  cmpq %rbx, %r10
  jnle    label14; j label15
block14:
  jmp     label16
block15:
  vmulpd (%r8, %r10, 8), %xmm1, %xmm4
  vaddpd (%r9, %r10, 8), %xmm4, %xmm4
  vmovupd %xmm4, (%rcx, %r10, 8)
  leaq 2(%r10), %r11
  vmulpd (%r8, %r11, 8), %xmm1, %xmm5
  vaddpd (%r9, %r11, 8), %xmm5, %xmm5
  vmovupd %xmm5, (%rcx, %r11, 8)
  leaq 4(%r10), %r10
  jmp     label13
block16:
  jmp     label17
block17:
  cmpq %rax, %r10
  jnl     label20; j label18
block18:
  vmulsd (%r8, %r10, 8), %xmm0, %xmm1
  vaddsd (%r9, %r10, 8), %xmm1, %xmm1
  vmovsd %xmm1, (%rcx, %r10, 8)
  jmp     label19
block19:
  leaq 1(%r10), %r10
  jmp     label17
block20:
  jmp     label21
block21:
  movq 0x48(%rdi), %rax
  movq 0x50(%rdi), %rcx
  movq 0x58(%rdi), %r8
  movq 0x60(%rdi), %rdi
  movq %rax, (%rsi)
  movq %rcx, 8(%rsi)
  movq %r8, 0x10(%rsi)
  movq %rdi, 0x18(%rsi)
  addl $0xffffffff, 4(%rdx)
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block5:
  jmp     label22
block7:
  jmp     label22
block9:
  jmp     label22
block22:
  vmovsd (%rdi), %xmm0
  vmovsd %xmm0, 0x10(%rdx)
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r8
  movq 0x20(%rdi), %r9
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r8, 0x28(%rdx)
  movq %r9, 0x30(%rdx)
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq 0x40(%rdi), %r9
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  movq %r9, 0x50(%rdx)
  movq 0x48(%rdi), %rcx
  movq 0x50(%rdi), %rsi
  movq 0x58(%rdi), %r8
  movq 0x60(%rdi), %rdi
  movq %rcx, 0x58(%rdx)
  movq %rsi, 0x60(%rdx)
  movq %r8, 0x68(%rdx)
  movq %rdi, 0x70(%rdx)
  movq %rax, 0x78(%rdx)
  movq $0x1, 0x80(%rdx)
  movq $0x0, 0x88(%rdx)
  movl $0x0, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block23:
  vmovsd (%rdi), %xmm0
  vmovsd %xmm0, 0x10(%rdx)
  movq 8(%rdi), %rax
  movq 0x10(%rdi), %rcx
  movq 0x18(%rdi), %rsi
  movq 0x20(%rdi), %r8
  movq %rax, 0x18(%rdx)
  movq %rcx, 0x20(%rdx)
  movq %rsi, 0x28(%rdx)
  movq %r8, 0x30(%rdx)
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %rcx
  movq 0x38(%rdi), %rsi
  movq 0x40(%rdi), %r8
  movq %rax, 0x38(%rdx)
  movq %rcx, 0x40(%rdx)
  movq %rsi, 0x48(%rdx)
  movq %r8, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq 0x50(%rdi), %rcx
  movq 0x58(%rdi), %rsi
  movq 0x60(%rdi), %rdi
  movq %rax, 0x58(%rdx)
  movq %rcx, 0x60(%rdx)
  movq %rsi, 0x68(%rdx)
  movq %rdi, 0x70(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
